"""The mail adapter: a real SMTP conversation on loopback, and the development backend."""

import socketserver
import threading

import pytest


class Recorder(socketserver.StreamRequestHandler):
    """Just enough SMTP to accept one message (no TLS, no auth)."""

    received: list[dict] = []

    def reply(self, line: str) -> None:
        self.wfile.write((line + "\r\n").encode())

    def handle(self):
        self.reply("220 test ESMTP")
        message = {"rcpt": [], "data": ""}
        while True:
            line = self.rfile.readline().decode().rstrip("\r\n")
            verb = line.split(" ", 1)[0].upper()
            if verb in ("EHLO", "HELO"):
                self.reply("250-test\r\n250 SIZE 1000000")
            elif verb == "MAIL":
                message["from"] = line
                self.reply("250 OK")
            elif verb == "RCPT":
                message["rcpt"].append(line)
                self.reply("250 OK")
            elif verb == "DATA":
                self.reply("354 go on")
                lines = []
                while (data := self.rfile.readline().decode()) not in (".\r\n", ""):
                    lines.append(data)
                message["data"] = "".join(lines)
                Recorder.received.append(message)
                self.reply("250 queued")
            elif verb == "QUIT":
                self.reply("221 bye")
                return
            else:
                self.reply("250 OK")


@pytest.fixture()
def smtp_server():
    Recorder.received = []
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def test_smtp_backend_delivers_the_message(app, smtp_server):
    from app.core.mail import send

    with app.test_request_context():
        app.config["MAIL_URL"] = f"smtp://127.0.0.1:{smtp_server}"
        try:
            send("ana@example.com", "Reset your Kayak password", "Hello Ana,\nthe link.")
        finally:
            app.config["MAIL_URL"] = None
    (message,) = Recorder.received
    assert "<ana@example.com>" in message["rcpt"][0]
    assert "Subject: Reset your Kayak password" in message["data"]
    assert "Hello Ana," in message["data"]


def test_smtp_failure_raises_mail_error(app):
    from app.core.mail import MailError, send

    with app.test_request_context():
        app.config["MAIL_URL"] = "smtp://127.0.0.1:1"  # nothing listens there
        try:
            with pytest.raises(MailError, match="could not send mail"):
                send("ana@example.com", "Hi", "Body")
            app.config["MAIL_URL"] = "http://example.com"
            with pytest.raises(MailError, match="MAIL_URL must look like"):
                send("ana@example.com", "Hi", "Body")
        finally:
            app.config["MAIL_URL"] = None


def test_development_backend_keeps_and_lists_mail(app_ctx):
    from app.core.mail import forget_recipient, outbox, send

    send("bo@example.com", "Welcome", "Hi Bo")
    (kept,) = outbox()
    assert (kept["to"], kept["subject"], kept["body"]) == ("bo@example.com", "Welcome", "Hi Bo")
    assert forget_recipient("bo@example.com") == 1
    assert outbox() == []


def test_a_failing_mail_server_does_not_break_the_reset_page(client, make_user, app):
    from tests.conftest import csrf_token_for

    make_user(email="ana@example.com")
    app.config["MAIL_URL"] = "smtp://127.0.0.1:1"
    try:
        response = client.post(
            "/auth/password/forgot",
            data={"csrf_token": csrf_token_for(client), "email": "ana@example.com"},
        )
    finally:
        app.config["MAIL_URL"] = None
    assert response.status_code == 200
    assert "Check your email" in response.get_data(as_text=True)
