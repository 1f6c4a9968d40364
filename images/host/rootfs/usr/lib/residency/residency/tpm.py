"""Thin wrappers over tpm2-tools. Without a resource manager, transient objects pile up in the
TPM (three and it refuses more), so every call flushes transient objects and sessions after."""

import os
import subprocess
import time

PRIMARY_HANDLE = "0x81000001"


class TpmError(Exception):
    pass


class Tpm:
    def __init__(self, tcti):
        self.env = dict(os.environ, TPM2TOOLS_TCTI=tcti)
        self.tcti = tcti

    def run(self, *args, input_bytes=None):
        result = subprocess.run(
            list(args), input=input_bytes, env=self.env, capture_output=True, timeout=30, check=False
        )
        self._flush()
        if result.returncode != 0:
            raise TpmError(f"{args[0]} failed: {result.stderr.decode(errors='replace').strip()}")
        return result.stdout

    def _flush(self):
        for kind in ("-t", "-s"):
            subprocess.run(["tpm2_flushcontext", kind], env=self.env, capture_output=True, check=False)

    def wait_ready(self, timeout_s=30):
        deadline = time.monotonic() + timeout_s
        last = ""
        while time.monotonic() < deadline:
            result = subprocess.run(
                ["tpm2_getcap", "properties-fixed"], env=self.env, capture_output=True, check=False
            )
            if result.returncode == 0:
                return
            last = result.stderr.decode(errors="replace").strip()
            time.sleep(0.2)
        raise TpmError(f"TPM at {self.tcti} not answering after {timeout_s}s: {last}")

    def startup(self):
        # The machine's firmware may already have started the TPM; that is not an error.
        subprocess.run(["tpm2_startup", "-c"], env=self.env, capture_output=True, check=False)

    def read_names(self, handle):
        """Returns (name, qualified_name) of a loaded or persistent object, as hex."""
        out = self.run("tpm2_readpublic", "-c", handle).decode()
        fields = dict(
            line.split(":", 1) for line in out.splitlines() if ":" in line and not line.startswith(" ")
        )
        return fields["name"].strip(), fields["qualified name"].strip()

    def persistent_handles(self):
        out = self.run("tpm2_getcap", "handles-persistent").decode()
        return [line.strip("- ").strip() for line in out.splitlines() if "0x" in line]
