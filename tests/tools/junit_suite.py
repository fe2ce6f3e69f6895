"""The one test suite of a JUnit XML file, read by Debian's python3-junitparser: an independent
reader of `softoff-qemu boot --junit` for the integration tests (PYTHONPATH=tests/tools)."""
from junitparser import JUnitXml, TestSuite


def load(path):
    """The file's single suite; AssertionError when it holds more or none."""
    xml = JUnitXml.fromfile(path)
    suites = [xml] if isinstance(xml, TestSuite) else list(xml)
    assert len(suites) == 1, suites
    return suites[0]
