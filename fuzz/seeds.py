"""Writes the fuzz targets' seed corpora into DIR/<target>/ (scripts/fuzz): the real vectors
(Ockam-made identities, attestations, credentials and transport messages from
crates/core/tests/vectors) and a few hand-made messages of each kind."""
import hashlib
import json
import os
import sys

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
out = sys.argv[1]
vectors = os.path.join(root, "crates", "core", "tests", "vectors")
identities = json.load(open(os.path.join(vectors, "ockam_identities.json")))
messages = json.load(open(os.path.join(vectors, "transport_messages.json")))
h = bytes.fromhex


def seed(target, data):
    os.makedirs(os.path.join(out, target), exist_ok=True)
    name = hashlib.sha1(data).hexdigest()
    with open(os.path.join(out, target, name), "wb") as f:
        f.write(data)


for m in messages:
    seed("transport_message", h(m["bytes_hex"]))
seed("tcp_frame", h("838182004673656375726581820041644201 02".replace(" ", "")))
seed("tcp_frame", h("84818200467365637572658182004164420102627b7d"))
seed("tcp_frame", h("83808040"))
seed("length_prefixed", bytes([7]) + b"".join(len(b).to_bytes(4, "big") + b for b in [b"", b"hello", bytes(300), h("0200000000")]))
for key in ("ed25519", "ed25519_rotated", "p256", "subject", "upstream_ed25519", "upstream_p256"):
    seed("identity", b"\x00" + h(identities[key]["change_history"]))
seed("identity", b"\x01" + h(identities["secure_channel_purpose_key_attestation_of_subject"]))
seed("identity", b"\x02" + h(identities["credential_and_purpose_key"]))
for policy in ['(= subject.role "member")', '(and (= subject.n "42") (or (= subject.role "x") true))',
               '(not (exists? subject.role))', '(in subject.role ["a" "member"])']:
    seed("abac", policy.encode())
for selector in range(6):
    seed("handshake", bytes([selector]) + bytes(range(32)) + bytes(64))
seed("session", bytes([0, 0, 10, 0, 0, 20, 0, 2, 0, 0, 2, 1, 0, 2, 0, 0, 3, 1, 5, 4, 9, 9, 1, 2, 3]))
seed("session", bytes([1, 0, 3, 0, 1, 3, 0, 2, 1, 0, 2, 0, 0, 2, 1, 0]))
for portal in (b"\x00", b"\x01", b"\x02", b"\x03\x05hello", b"\x03\x05hello\x01\x2a\x00"):
    seed("messages", b"\x02" + portal)
seed("messages", b"\x03" + h("0ba40107020903190193 04f4".replace(" ", "")))
seed("messages", b"\x04\x05hello")
seed("messages", b"\x01")
seed("messages", b"\x00" + h("8200838182004461626364818200416440"))
print(f"seed corpora in {out}")
