"""Lessons (guided walk-throughs of the scenarios) arrive in a later issue."""
