"""Classroom rooms: a presenter drives one run, a class follows it (docs/protocol.md, Rooms)."""
