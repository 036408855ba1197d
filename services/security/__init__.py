"""Security and the secrecy bureau (省国家保密局): protection, cryptography, classified projects."""
