"""Runs LocalStack until the process that started it goes away.

The test process holds this launcher's stdin; when that process exits, stdin closes and
LocalStack is stopped (SIGTERM, then SIGKILL after 15 s), so no server outlives its tests.
"""

import subprocess
import sys
import threading

child = subprocess.Popen([sys.executable, "-m", "localstack.runtime.main"])


def stop_when_orphaned():
    sys.stdin.buffer.read()
    child.terminate()
    try:
        child.wait(15)
    except subprocess.TimeoutExpired:
        child.kill()


threading.Thread(target=stop_when_orphaned, daemon=True).start()
sys.exit(child.wait())
