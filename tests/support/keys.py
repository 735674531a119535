"""Fixed secrets for tests (never the demo keys, never real ones)."""

TEST_PSEUDONYM_KEY = b"test-pseudonym-key"
TEST_ARCHIVE_KEY = b"\x01" * 32
