"""Raw Kafka requests over a socket, encoded and decoded by kafka-python's protocol
classes (an implementation nobody here wrote), for tests that look at exact error
codes and fields rather than at what a client library makes of them."""

import socket
import struct


def encode_frame(api_key, version, correlation, body, client_id=b"eddy-wire-test", flexible_header=False):
    """A size-prefixed request: header v1 (or v2, with its empty tagged-field section,
    when flexible_header) and body."""
    header = struct.pack(">hhih", api_key, version, correlation, len(client_id)) + client_id
    if flexible_header:
        header += b"\x00"
    return struct.pack(">i", len(header) + len(body)) + header + body


def read_frame(sock):
    """The next response frame (after its size), or None if the peer closed."""
    def exact(n):
        buf = b""
        while len(buf) < n:
            chunk = sock.recv(n - len(buf))
            if not chunk:
                return None
            buf += chunk
        return buf
    head = exact(4)
    if head is None:
        return None
    return exact(struct.unpack(">i", head)[0])


class KafkaWire:
    def __init__(self, port, client_id=b"eddy-wire-test"):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=15)
        self.client_id = client_id
        self.correlation = 0

    def close(self):
        self.sock.close()

    def send_raw(self, api_key, version, body, flexible_header=False):
        """Sends one request; flexible_header adds the empty tagged-field section that
        request header v2 (flexible API versions) carries."""
        self.correlation += 1
        self.sock.sendall(encode_frame(api_key, version, self.correlation, body, self.client_id,
                                       flexible_header))
        return self.correlation

    def read_frame(self):
        """The next response frame (after its size), or None if the broker closed."""
        return read_frame(self.sock)

    def call(self, request, response_class):
        """Sends a kafka-python request object and decodes the answer with response_class."""
        body = request.encode()
        correlation = self.send_raw(request.API_KEY, request.API_VERSION, body)
        frame = self.read_frame()
        if frame is None:
            raise ConnectionError("broker closed the connection")
        (got,) = struct.unpack(">i", frame[:4])
        assert got == correlation, "correlation id %d, expected %d" % (got, correlation)
        return response_class.decode(frame[4:])
