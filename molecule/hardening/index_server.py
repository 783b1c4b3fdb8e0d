"""The scenario's private package index on 127.0.0.1:8081: the files under /srv/test-index,
only for a client with the user and password in /etc/test-index/credentials. It logs each
request's path and whether it was authorized, never a header."""

import base64
import functools
import http.server
import sys

with open("/etc/test-index/credentials", "rb") as stream:
    EXPECTED = "Basic " + base64.b64encode(stream.read().strip()).decode()


class Handler(http.server.SimpleHTTPRequestHandler):
    def do_GET(self):
        if self.headers.get("Authorization") != EXPECTED:
            self.log("refused")
            self.send_response(401)
            self.send_header("WWW-Authenticate", 'Basic realm="test-index"')
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.log("authorized")
        super().do_GET()

    def log(self, verdict):
        sys.stderr.write("%s %s %s\n" % (verdict, self.command, self.path))

    def log_message(self, *args):
        pass


http.server.ThreadingHTTPServer(
    ("127.0.0.1", 8081), functools.partial(Handler, directory="/srv/test-index")).serve_forever()
