#!/usr/bin/env python3
"""Starts moto's ThreadedMotoServer on 127.0.0.1 (a free port unless one is given) for `npm run test:aws`.

Prints one line, {"port": N}, once the server accepts requests; runs until stdin closes (the test process
that started it exited, however it exited) or SIGTERM/SIGINT. Needs Python 3 with moto[server] 5.x.
"""
import json
import logging
import signal
import sys
import threading

try:
    from moto.server import ThreadedMotoServer
except ImportError as err:  # the suite names what is missing
    sys.stderr.write(f"moto-server: cannot import moto.server ({err}); install moto[server] 5.x (pip install 'moto[server]')\n")
    sys.exit(3)


def main() -> None:
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 0
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no line per request on stderr
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    _, bound = server.get_host_and_port()
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    signal.signal(signal.SIGINT, lambda *_: done.set())

    def watch_stdin() -> None:
        sys.stdin.read()  # returns at EOF: the parent closed its end or died
        done.set()

    threading.Thread(target=watch_stdin, daemon=True).start()
    sys.stdout.write(json.dumps({"port": bound}) + "\n")
    sys.stdout.flush()
    done.wait()
    server.stop()


if __name__ == "__main__":
    main()
