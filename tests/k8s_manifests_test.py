#!/usr/bin/python3
"""The Kubernetes manifests of deploy/k8s/ (issue 12 §3), checked for the invariants that keep a
swarmkv cluster safe, since no Kubernetes cluster runs here: replicas >= R, a disruption budget
that keeps a write quorum and every block's copies, probes on the API's gRPC health service,
a bootstrap list naming the StatefulSet's pods through its headless Service, the image
deploy/build-images.sh makes, a non-root node on a read-only root, secrets where the config
looks for them, and a stop period that bounds the daemon's shutdown grace.

The manifests are assembled with a YAML parser (Debian's python3-yaml) following the
kustomizations; where a kubectl is installed, `kubectl kustomize` renders the overlay too and
the same checks run on its output. Each check is also shown to fail on a broken manifest.

usage: k8s_manifests_test.py
"""
import copy
import os
import re
import shutil
import subprocess
import tempfile
import tomllib
import unittest

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
K8S = os.path.join(ROOT, "deploy", "k8s")
OVERLAY = os.path.join(K8S, "overlays", "example")


def read(path):
    with open(path) as f:
        return f.read()


def kustomization(directory):
    return yaml.safe_load(read(os.path.join(directory, "kustomization.yaml")))


def assemble(directory):
    """The objects a kustomization makes, as far as these checks need: resources (files and
    directories), generated ConfigMaps and Secrets (unhashed names), namespace and images."""
    k = kustomization(directory)
    docs = []
    for resource in k.get("resources", []):
        path = os.path.normpath(os.path.join(directory, resource))
        if os.path.isdir(path):
            docs += assemble(path)
        else:
            docs += [d for d in yaml.safe_load_all(read(path)) if d]
    for generator in k.get("configMapGenerator", []):
        data = {}
        for entry in generator["files"]:
            key, _, name = entry.rpartition("=")
            data[key or os.path.basename(name)] = read(os.path.join(directory, name))
        docs.append({"kind": "ConfigMap", "metadata": {"name": generator["name"]}, "data": data})
    for generator in k.get("secretGenerator", []):
        data = {}
        for entry in generator["files"]:
            key, _, name = entry.rpartition("=")
            data[key or os.path.basename(name)] = "(generated from %s)" % name
        docs.append({"kind": "Secret", "metadata": {"name": generator["name"]}, "data": data})
    for image in k.get("images", []):
        for doc in docs:
            for c in doc.get("spec", {}).get("template", {}).get("spec", {}).get("containers", []):
                name, _, tag = c["image"].partition(":")
                if name == image["name"]:
                    c["image"] = f"{image.get('newName', name)}:{image.get('newTag', tag)}"
    if "namespace" in k:
        for doc in docs:
            if doc["kind"] != "Namespace":
                doc["metadata"]["namespace"] = k["namespace"]
    return docs


def render_with_kubectl():
    """`kubectl kustomize` of the example overlay, on a copy holding throwaway secret files;
    None where no kubectl with kustomize is installed."""
    if shutil.which("kubectl") is None:
        return None
    with tempfile.TemporaryDirectory(prefix="swarmkv-k8s-") as work:
        copy_dir = os.path.join(work, "k8s")
        shutil.copytree(K8S, copy_dir)
        secrets = os.path.join(copy_dir, "overlays", "example", "secrets")
        os.makedirs(secrets, exist_ok=True)
        for name in ("api-token", "convergence-secret"):
            with open(os.path.join(secrets, name), "w") as f:
                f.write("00" * 32 + "\n")
        proc = subprocess.run(["kubectl", "kustomize", os.path.join(copy_dir, "overlays",
                                                                      "example")],
                              capture_output=True, text=True, timeout=120)
        if proc.returncode != 0:
            raise AssertionError(f"kubectl kustomize failed: {proc.stderr}")
        return [d for d in yaml.safe_load_all(proc.stdout) if d]


def one(docs, kind, name=None):
    found = [d for d in docs if d["kind"] == kind and (name is None or d["metadata"]["name"] == name)]
    assert len(found) == 1, f"{len(found)} {kind} objects named {name or 'anything'}"
    return found[0]


def host_port(listen):
    host, _, port = listen.rpartition(":")
    return host, int(port)


def parse_duration_s(text):
    match = re.fullmatch(r"(\d+)(ms|s|m|h)", text)
    assert match, f"duration {text!r}"
    return int(match.group(1)) * {"ms": 0.001, "s": 1, "m": 60, "h": 3600}[match.group(2)]


def check_invariants(docs):
    """Raises AssertionError naming the first invariant `docs` break."""
    sts = one(docs, "StatefulSet")
    pod = sts["spec"]["template"]
    pod_labels = pod["metadata"]["labels"]
    spec = pod["spec"]
    container = next(c for c in spec["containers"] if c["name"] == "swarmkv")
    volumes = {v["name"]: v for v in spec["volumes"]}
    mounts = {m["name"]: m["mountPath"] for m in container["volumeMounts"]}
    args = container["args"]

    def arg(flag):
        assert flag in args, f"the node is started without {flag}"
        return args[args.index(flag) + 1]

    # The config the node reads is the ConfigMap's config.toml, where --config points.
    config_path = arg("--config")
    config_volume = next(n for n, p in mounts.items() if config_path.startswith(p + "/"))
    config_map = one(docs, "ConfigMap", volumes[config_volume]["configMap"]["name"])
    config = tomllib.loads(config_map["data"][os.path.basename(config_path)])
    r = config["peer"]["replication_factor"]
    quorum = config["peer"]["write_quorum"]
    replicas = sts["spec"]["replicas"]
    assert 1 <= quorum <= r, f"write quorum {quorum} with R = {r}"
    assert replicas >= r, f"{replicas} replicas cannot hold R = {r} copies"

    # A disruption budget over these pods keeping a quorum and at least one copy of each block.
    pdb = one(docs, "PodDisruptionBudget")
    selector = pdb["spec"]["selector"]["matchLabels"]
    assert all(pod_labels.get(k) == v for k, v in selector.items()), "PDB selects other pods"
    min_available = pdb["spec"]["minAvailable"]
    assert min_available >= quorum, f"PDB minAvailable {min_available} < write quorum {quorum}"
    assert min_available >= replicas - (r - 1), (
        f"PDB lets {replicas - min_available} pods go at once: every copy of a block (R = {r})")

    # Probes: the standard gRPC health service on the API port.
    _, api_port = host_port(config["api"]["listen"])
    ports = {p["name"]: p["containerPort"] for p in container["ports"]}
    assert ports.get("api") == api_port, f"the api containerPort is not {api_port}"
    for probe in ("readinessProbe", "livenessProbe"):
        grpc_probe = container.get(probe, {}).get("grpc")
        assert grpc_probe is not None, f"{probe} is not a grpc probe"
        assert grpc_probe["port"] == api_port, f"{probe} asks port {grpc_probe['port']}"

    # The bootstrap list names the pods through the headless Service, on the peer port.
    service = one(docs, "Service", sts["spec"]["serviceName"])
    assert service["spec"].get("clusterIP") == "None", "the StatefulSet's Service is not headless"
    assert service["spec"].get("publishNotReadyAddresses"), (
        "pods starting together cannot find each other before they are ready")
    assert all(pod_labels.get(k) == v for k, v in service["spec"]["selector"].items())
    _, peer_port = host_port(config["peer"]["listen"])
    assert peer_port in [p["port"] for p in service["spec"]["ports"]], "no peer port on Service"
    pattern = re.compile(r"%s-(\d+)\.%s(\.[a-z0-9.-]+)?:%d" % (
        re.escape(sts["metadata"]["name"]), re.escape(service["metadata"]["name"]), peer_port))
    bootstrap = config["peer"]["bootstrap"]
    ordinals = set()
    for entry in bootstrap:
        match = pattern.fullmatch(entry)
        assert match, f"bootstrap entry {entry!r} is not <pod>.<headless service>:{peer_port}"
        ordinals.add(int(match.group(1)))
    assert {0, 1, 2} <= ordinals and max(ordinals) < max(replicas, 1) + 16, (
        f"bootstrap list {bootstrap} does not name the first pods")

    # The image deploy/build-images.sh makes (an overlay may put it in a registry).
    built = re.search(r"docker build .*-t (\S+)", read(os.path.join(ROOT, "deploy",
                                                                     "build-images.sh")))
    built_repo = built.group(1).rpartition(":")[0]
    assert container["image"].rpartition(":")[0].split("/")[-1] == built_repo, (
        f"image {container['image']} is not the {built.group(1)} the build makes")

    # Non-root, as the Dockerfile's user, on a read-only root filesystem.
    uid = int(re.search(r"--uid (\d+)", read(os.path.join(ROOT, "deploy", "Dockerfile")))
              .group(1))
    pod_security = spec.get("securityContext", {})
    security = container.get("securityContext", {})
    assert pod_security.get("runAsNonRoot") is True, "runAsNonRoot is not set"
    assert pod_security.get("runAsUser") == uid, f"runAsUser is not the image's user {uid}"
    assert security.get("readOnlyRootFilesystem") is True, "the root filesystem is writable"
    assert security.get("allowPrivilegeEscalation") is False, "privilege escalation allowed"

    # The data directory is on the claim, one level down (fsGroup makes the claim's root
    # group-writable, which the node refuses for its own directory).
    data_dir = arg("--data-dir")
    claims = [t["metadata"]["name"] for t in sts["spec"]["volumeClaimTemplates"]]
    claim_mount = next((mounts[c] for c in claims if data_dir.startswith(mounts.get(c, "?") + "/")),
                       None)
    assert claim_mount is not None, f"--data-dir {data_dir} is not under a volumeClaimTemplate"

    # The token and convergence secret files come from the Secret.
    secret_volume = next(v for v in volumes.values() if "secret" in v)
    secret = one(docs, "Secret", secret_volume["secret"]["secretName"])
    secret_mount = mounts[secret_volume["name"]]
    for path in (config["api"]["token_file"], config["node"]["convergence_secret_file"]):
        assert os.path.dirname(path) == secret_mount, f"{path} is not in the Secret's mount"
        assert os.path.basename(path) in secret["data"], f"the Secret has no {path}"
    assert secret_volume["secret"].get("defaultMode", 0o644) & 0o007 == 0, (
        "the secret files are readable by every user (the node refuses that)")

    # The stop period bounds the daemon's grace with room for the rest of its stop.
    grace = parse_duration_s(config["node"].get("shutdown_grace", "5s"))
    period = spec.get("terminationGracePeriodSeconds", 30)
    assert period >= grace + 10, f"terminationGracePeriodSeconds {period} <= grace {grace} + 10"


class K8sManifestsTest(unittest.TestCase):
    def assembled(self):
        return assemble(OVERLAY)

    def test_the_example_overlay_keeps_every_invariant(self):
        docs = self.assembled()
        check_invariants(docs)
        sts = one(docs, "StatefulSet")
        self.assertEqual(sts["metadata"]["namespace"], "swarmkv")

    def test_kubectl_kustomize_renders_the_same_invariants(self):
        docs = render_with_kubectl()
        if docs is None:
            self.skipTest("no kubectl here: the YAML-parser assembly above is what ran")
        check_invariants(docs)

    def test_each_check_fails_on_a_broken_manifest(self):
        def broken(edit):
            docs = copy.deepcopy(self.assembled())
            edit(docs)
            with self.assertRaises(AssertionError) as raised:
                check_invariants(docs)
            return str(raised.exception)

        def sts(docs):
            return one(docs, "StatefulSet")

        def container(docs):
            return sts(docs)["spec"]["template"]["spec"]["containers"][0]

        def config_map(docs):
            return one(docs, "ConfigMap")

        def set_replicas(d):
            sts(d)["spec"]["replicas"] = 2
        self.assertIn("cannot hold R", broken(set_replicas))

        def set_budget(d):
            one(d, "PodDisruptionBudget")["spec"]["minAvailable"] = 1
        self.assertIn("minAvailable", broken(set_budget))

        def http_probe(d):
            container(d)["readinessProbe"] = {"httpGet": {"port": 5001}}
        self.assertIn("not a grpc probe", broken(http_probe))

        def other_bootstrap(d):
            data = config_map(d)["data"]
            data["config.toml"] = data["config.toml"].replace("swarmkv-0.swarmkv:7420",
                                                              "10.0.0.1:7420")
        self.assertIn("bootstrap entry", broken(other_bootstrap))

        def other_image(d):
            container(d)["image"] = "nginx:latest"
        self.assertIn("is not the", broken(other_image))

        def as_root(d):
            sts(d)["spec"]["template"]["spec"]["securityContext"]["runAsNonRoot"] = False
        self.assertIn("runAsNonRoot", broken(as_root))

        def short_stop(d):
            sts(d)["spec"]["template"]["spec"]["terminationGracePeriodSeconds"] = 5
        self.assertIn("terminationGracePeriodSeconds", broken(short_stop))


if __name__ == "__main__":
    unittest.main()
