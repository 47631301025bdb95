#!/usr/bin/python3
"""bench/charts.py draws each chart from the figures the benchmarks leave (bench_data.py), and
none for a benchmark that left nothing. Figures made up here, in the shape the benchmarks write."""
import os
import random
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import bench_data  # noqa: E402

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def samples(rng, median_ms):
    return bench_data.latencies_ms([rng.lognormvariate(0, 0.5) * median_ms / 1e3
                                    for _ in range(300)])


def write_figures(folder):
    rng = random.Random(7)
    os.environ[bench_data.ENV] = folder
    try:
        bench_data.save("kubo_client", {"n": 300, "rounds": 1, "series": [
            {"table": t, "name": name, "inflight": c, "ops": rng.uniform(500, 4000),
             "samples_ms": samples(rng, 2.0)}
            for t in ("a2", "b2") for name in ("kubo", "random client", "plain stream")
            for c in (1, 16)]})
        bench_data.save("swarm", {"inflight": 16, "nodes": 10, "records": False, "systems": [
            {"name": name, "get_rate": 900.0, "get_seq_rate": 300.0, "put_rate": 400.0,
             "put_seq_rate": 150.0,
             "samples_ms": {k: samples(rng, 5.0)
                            for k in ("get @1", "get @16", "put @1", "put @16")}}
            for name in ("swarmkv", "OpenDHT")]})
        bench_data.save("scale", {"default_interval_s": 60, "rows": [
            {"contents": n, "put_ops": 4000.0, "get_ops": 5000.0, "pin_p50": 0.6,
             "unpin_p50": 0.6, "get_p50": 2.0, "rss": 50.0 + n / 1e4, "round_cpu_s": n / 1e6,
             "startup_s": 0.3} for n in (10_000, 100_000, 1_000_000)]})
    finally:
        del os.environ[bench_data.ENV]


def draw(data_dir, out_dir):
    out = subprocess.run(["/usr/bin/python3", os.path.join(HERE, "charts.py"), data_dir, out_dir,
                          "--link-prefix", "charts/"], capture_output=True, text=True, check=True)
    return out.stdout.splitlines()


class ChartsTest(unittest.TestCase):
    def test_every_benchmark_with_figures_gets_its_charts(self):
        with tempfile.TemporaryDirectory() as data, tempfile.TemporaryDirectory() as out:
            write_figures(data)
            links = draw(data, out)
            names = ["local_throughput", "local_latency_cdf", "swarm_throughput",
                     "swarm_latency_cdf", "scale"]
            self.assertEqual([line.rsplit("(", 1)[1] for line in links],
                             [f"charts/{n}.png)" for n in names])
            for name in names:
                with open(os.path.join(out, f"{name}.png"), "rb") as f:
                    image = f.read()
                self.assertTrue(image.startswith(PNG_MAGIC), name)
                self.assertGreater(len(image), 10_000, name)  # axes, lines and labels drawn

    def test_a_benchmark_that_left_nothing_draws_nothing(self):
        with tempfile.TemporaryDirectory() as data, tempfile.TemporaryDirectory() as out:
            write_figures(data)
            os.remove(os.path.join(data, "swarm.json"))
            os.remove(os.path.join(data, "kubo_client.json"))
            self.assertEqual(len(draw(data, out)), 1)
            self.assertEqual(os.listdir(out), ["scale.png"])

    def test_latency_samples_are_sorted_in_ms_and_thinned_keeping_the_slowest(self):
        self.assertEqual(bench_data.latencies_ms([0.003, 0.001, 0.002]), [1.0, 2.0, 3.0])
        thinned = bench_data.latencies_ms([i / 1e3 for i in range(20000)])
        self.assertEqual(len(thinned), 5001)
        self.assertEqual((thinned[0], thinned[-1]), (0.0, 19999.0))
        self.assertEqual(thinned, sorted(thinned))


if __name__ == "__main__":
    unittest.main()
