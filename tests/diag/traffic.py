# SPDX-License-Identifier: MIT
"""Known loopback traffic for the diagnosis tests: listeners, held connections, TIME_WAIT.

usage: traffic.py READY_FILE SPEC...
  listen:ADDR:PORT        a listener (ADDR 127.0.0.1 or ::1 style)
  hold:ADDR:PORT:N        N connections to a listener, both ends kept open
  tw:ADDR:PORT:N          N connections closed client-first: the client
                          side stays in TIME_WAIT, the server side is gone
Writes READY_FILE when all is in place, then sleeps until killed.
"""
import socket
import sys
import time


def split(spec):
    kind, rest = spec.split(":", 1)
    if kind == "listen":
        addr, port = rest.rsplit(":", 1)
        return kind, addr, int(port), 0
    addr_port, n = rest.rsplit(":", 1)
    addr, port = addr_port.rsplit(":", 1)
    return kind, addr, int(port), int(n)


def family(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def main():
    ready, specs = sys.argv[1], [split(s) for s in sys.argv[2:]]
    listeners, keep = {}, []
    for kind, addr, port, _ in specs:
        if kind == "listen":
            s = socket.socket(family(addr), socket.SOCK_STREAM)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind((addr, port))
            s.listen(4096)
            listeners[(addr, port)] = s
    for kind, addr, port, n in specs:
        if kind == "listen":
            continue
        lst = listeners[(addr, port)]
        for _ in range(n):
            c = socket.socket(family(addr), socket.SOCK_STREAM)
            c.connect((addr, port))
            if kind == "hold":
                srv, _ = lst.accept()
                keep += [c, srv]
            else:
                c.close()  # client FIN first: the client ends in TIME_WAIT
                srv, _ = lst.accept()
                srv.close()
    with open(ready, "w") as f:
        f.write("ready\n")
    while True:
        time.sleep(3600)


if __name__ == "__main__":
    main()
