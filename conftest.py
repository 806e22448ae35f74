"""The workspace's pytest configuration: the shared fixtures of fairpath.common."""

pytest_plugins = ["fairpath.common.testing.fixtures"]
