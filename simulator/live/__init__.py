"""The live stream: a paced simulation run that viewers watch and drive over a WebSocket.

No Django here: the Channels consumer (simulator/consumers.py) adapts these to sockets.
"""
