# Starts moto's S3/DynamoDB/STS/... emulator on 127.0.0.1 and prints the port it bound.
# Run by test-support with `python -c`; the test process holds our stdin open, so when it
# exits (however it exits) stdin reaches EOF and this server exits too.
import os
import sys
import threading


def _exit_with_parent():
    sys.stdin.buffer.read()
    os._exit(0)


threading.Thread(target=_exit_with_parent, daemon=True).start()

from werkzeug.serving import make_server  # noqa: E402
from moto.moto_server.werkzeug_app import (  # noqa: E402
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)

app = DomainDispatcherApplication(create_backend_app)
server = make_server(
    "127.0.0.1",
    int(os.environ.get("TFSTATE_MOTO_PORT", "0")),
    app,
    threaded=True,
    request_handler=MotoRequestHandler,
)
os.environ["MOTO_PORT"] = str(server.server_port)
print(server.server_port, flush=True)
server.serve_forever()
