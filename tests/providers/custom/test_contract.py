from hookgate.testing import ProviderContract


class TestCustomContract(ProviderContract):
    provider = "custom"
    source_config = {"signature_header": "X-Signature", "algorithm": "sha256"}


class TestCustomSha512Contract(ProviderContract):
    provider = "custom"
    source_config = {"signature_header": "X-Hub-Signature", "algorithm": "sha512"}
