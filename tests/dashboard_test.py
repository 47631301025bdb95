#!/usr/bin/python3
"""The web dashboard in a real browser (Debian's chromium, headless, driven by python3-selenium)
against a real 3-node cluster: it loads and shows the node and its 2 peers; a file put through
the page (chosen, and dropped on the page) comes back byte-identical through the CLI of another
node; content put elsewhere is got back through the page by capability (its SHA-256 shown); the
pin appears; a wrong key shows a 403; no errors in the browser's console. A screenshot is saved
in the build directory.

usage: dashboard_test.py /path/to/swarmkv <screenshot directory>
"""
import hashlib
import os
import random
import shutil
import subprocess
import sys
import tempfile
import unittest

SWARMKV, SHOTS = sys.argv[1:3]
del sys.argv[1:3]
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from daemon_fixture import Daemon, raw_cid, start_on_free_port, wait_until  # noqa: E402

from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"


def id_line(daemon, field):
    out = daemon.cli("id").stdout.decode()
    return next(line.split()[-1] for line in out.splitlines() if line.startswith(field))


class DashboardTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        args = ["--maintenance-interval", "1s", "--peer-timeout", "1s"]
        first, cls.port = start_on_free_port(lambda port: Daemon(
            SWARMKV, extra_args=[*args, "--http-listen", f"127.0.0.1:{port}"]))
        cls.nodes = [first]
        entry = f"{id_line(cls.nodes[0], 'node id')}@{id_line(cls.nodes[0], 'peer')}"
        for _ in range(2):
            cls.nodes.append(Daemon(SWARMKV, extra_args=[*args, "--bootstrap", entry]).start())
        wait_until(lambda: "peers    2 known" in cls.nodes[0].cli("id").stdout.decode(), 30,
                   "node 1 knows the other 2")
        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                     "--disable-gpu", "--window-size=1280,1400"):
            options.add_argument(flag)
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        cls.profile = tempfile.mkdtemp(prefix="skv-chromium-")
        options.add_argument(f"--user-data-dir={cls.profile}")
        cls.browser = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER),
                                       options=options)
        cls.wait = WebDriverWait(cls.browser, 30)

    @classmethod
    def tearDownClass(cls):
        cls.browser.quit()
        shutil.rmtree(cls.profile, ignore_errors=True)
        for node in cls.nodes:
            node.close()

    def text(self, element_id):
        return self.browser.find_element(By.ID, element_id).text

    def test_the_dashboard_against_a_3_node_cluster(self):
        browser = self.browser
        browser.get(f"http://127.0.0.1:{self.port}/")
        node_id = id_line(self.nodes[0], "node id")
        self.wait.until(lambda _: self.text("node-id") == node_id)
        self.wait.until(lambda _: self.text("peer-count") == "2")
        # The table is redrawn every 2 s: read its rows in one step in the page.
        other_ids = {id_line(node, "node id") for node in self.nodes[1:]}
        shown = browser.execute_script(
            "return Array.from(document.querySelectorAll('#peers tbody tr code'),"
            " (c) => c.textContent)")
        self.assertEqual(sorted(shown), sorted(other_ids))
        self.assertRegex(self.text("version"), r"^\d+\.\d+\.\d+")

        # A file put through the page, read back byte for byte through node 3's CLI.
        data = random.Random(11).randbytes(700_000)
        with tempfile.NamedTemporaryFile(suffix=".bin") as f:
            f.write(data)
            f.flush()
            browser.find_element(By.ID, "file").send_keys(f.name)
            Select(browser.find_element(By.ID, "mode")).select_by_value("random")
            browser.find_element(By.ID, "pin-name").send_keys("from-the-browser")
            browser.find_element(By.ID, "put-button").click()
            self.wait.until(lambda _: self.text("put-capability").startswith("swarmkv://"))
        capability = self.text("put-capability")
        self.assertIn("#", capability)  # random mode: the key is in it
        self.assertEqual(self.text("put-size"), f"{len(data):,}")
        got = self.nodes[2].cli("get", capability).stdout
        self.assertTrue(got == data, "the file came back different")
        # The pin shows in the page.
        self.wait.until(lambda _: "from-the-browser" in self.text("pins"))

        # Dropped on the drop zone (a drop event carrying a file, as a drag from the desktop
        # delivers it), in plain mode: the CID is the one IPFS gives those bytes.
        dropped = b"dropped on the page\n" * 50
        browser.execute_script(
            "const bytes = new TextEncoder().encode(arguments[0]);"
            "const transfer = new DataTransfer();"
            "transfer.items.add(new File([bytes], 'dropped.txt'));"
            "const zone = document.getElementById('drop-zone');"
            "zone.dispatchEvent(new DragEvent('drop', {dataTransfer: transfer, bubbles: true,"
            " cancelable: true}));", dropped.decode())
        self.wait.until(lambda _: "dropped.txt" in self.text("drop-zone"))
        Select(browser.find_element(By.ID, "mode")).select_by_value("plain")
        browser.find_element(By.ID, "put-button").click()
        self.wait.until(lambda _: self.text("put-capability") != capability)
        self.assertEqual(self.text("put-capability"), "swarmkv://" + raw_cid(dropped))
        self.assertEqual(self.nodes[1].cli("get", self.text("put-capability")).stdout, dropped)

        # Content put on node 2, got back through the page by its capability.
        other = os.urandom(300_000)
        with tempfile.NamedTemporaryFile() as f:
            f.write(other)
            f.flush()
            cap = self.nodes[1].cli("put", f.name).stdout.decode().strip()
        box = browser.find_element(By.ID, "get-capability")
        box.clear()
        box.send_keys(cap)
        browser.find_element(By.ID, "get-button").click()
        self.wait.until(lambda _: self.text("get-sha256") != "")
        self.assertEqual(self.text("get-sha256"), hashlib.sha256(other).hexdigest())
        self.assertEqual(self.text("get-size"), f"{len(other):,}")

        # A wrong key is an error shown on the page, not a crash.
        cid = cap[len("swarmkv://"):].split("#")[0]
        box.clear()
        box.send_keys(f"swarmkv://{cid}#" + "A" * 43)
        box.send_keys(Keys.ENTER)  # the field's own way to get
        self.wait.until(lambda _: self.text("get-error").startswith("Get failed: "))
        self.assertTrue(self.text("get-error").startswith("Get failed: 403"), self.text("get-error"))

        os.makedirs(SHOTS, exist_ok=True)
        shot = os.path.join(SHOTS, "dashboard.png")
        browser.save_screenshot(shot)
        self.assertGreater(os.path.getsize(shot), 10_000)
        # The 403 just provoked is logged by the browser as a failed resource; nothing else.
        errors = [entry["message"] for entry in browser.get_log("browser")
                  if entry["level"] == "SEVERE" and "403" not in entry["message"]]
        self.assertEqual(errors, [])


if __name__ == "__main__":
    unittest.main()
