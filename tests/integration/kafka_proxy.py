"""A TCP proxy between Kafka clients and eddy that can drop responses.

It forwards whole Kafka frames both ways and, for a chosen API (Produce by default),
closes the client's connection instead of forwarding a response, with a given
probability. The broker has then applied the request but the client never hears
so: it retries, which is exactly what idempotent producers must survive.
"""

import random
import socket
import struct
import threading

PRODUCE = 0


def _recv_exact(sock, n):
    buf = b""
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            return None
        buf += chunk
    return buf


def _recv_frame(sock):
    head = _recv_exact(sock, 4)
    if head is None:
        return None
    (size,) = struct.unpack(">i", head)
    body = _recv_exact(sock, size)
    if body is None:
        return None
    return head + body


class DroppingProxy:
    def __init__(self, upstream_port, listen_port=0, drop_probability=0.1, drop_api=PRODUCE,
                 seed=1, max_drops=None):
        self.upstream_port = upstream_port
        self.drop_probability = drop_probability
        self.drop_api = drop_api
        self.max_drops = max_drops
        self.rng = random.Random(seed)
        self.lock = threading.Lock()
        self.drops = 0
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", listen_port))
        self.listener.listen(64)
        self.port = self.listener.getsockname()[1]
        self.running = True
        threading.Thread(target=self._accept_loop, daemon=True).start()

    def close(self):
        self.running = False
        try:
            # shutdown wakes the accept() blocked in the other thread; close alone does not.
            self.listener.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.listener.close()

    def _accept_loop(self):
        while self.running:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _should_drop(self):
        with self.lock:
            if self.max_drops is not None and self.drops >= self.max_drops:
                return False
            if self.rng.random() < self.drop_probability:
                self.drops += 1
                return True
            return False

    def _serve(self, client):
        try:
            upstream = socket.create_connection(("127.0.0.1", self.upstream_port))
        except OSError:
            client.close()
            return
        apis = {}  # correlation id -> api key
        lock = threading.Lock()

        def client_to_upstream():
            try:
                while True:
                    frame = _recv_frame(client)
                    if frame is None:
                        break
                    api_key, _, correlation = struct.unpack(">hhi", frame[4:12])
                    with lock:
                        apis[correlation] = api_key
                    upstream.sendall(frame)
            except OSError:
                pass  # the other direction closed the sockets
            upstream.close()

        threading.Thread(target=client_to_upstream, daemon=True).start()
        try:
            while True:
                frame = _recv_frame(upstream)
                if frame is None:
                    break
                (correlation,) = struct.unpack(">i", frame[4:8])
                with lock:
                    api = apis.pop(correlation, None)
                if api == self.drop_api and self._should_drop():
                    break  # the request was applied; the client never learns it
                client.sendall(frame)
        except OSError:
            pass
        for s in (client, upstream):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()
