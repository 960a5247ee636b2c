"""A server that accepts TCP connections and never answers (a git server that hangs after the
TCP handshake): the lab's fault for boot steps without time limits.

  hang.py HOST PORT
"""
import socket
import sys
import time

host, port = sys.argv[1], int(sys.argv[2])
server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind((host, port))
server.listen(64)
held = []
while True:
    conn, peer = server.accept()
    held.append(conn)  # kept open, never read from or written to
    print("%s accepted %s:%d and is not answering" % (time.strftime("%H:%M:%S"), peer[0], peer[1]), flush=True)
