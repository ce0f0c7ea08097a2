#!/bin/sh
# ECDSA P-256 of each crypto backend as a ratio of `openssl speed ecdsap256`, measured back to
# back on this machine (benches/README.md, "Targets"). Needs openssl and python3.
#   benches/openssl-ratio.sh            # openssl, then the criterion ECDSA benches, then ratios
#   SECONDS_PER_TEST=10 benches/openssl-ratio.sh
set -eu
cd "$(dirname "$0")/.."
secs="${SECONDS_PER_TEST:-3}"
out="$(mktemp)"
trap 'rm -f "$out"' EXIT

# openssl before and after the criterion run (the machine's load drifts): the ratio uses the
# mean of the two.
echo "== openssl speed -seconds $secs ecdsap256" >&2
openssl speed -seconds "$secs" ecdsap256 2>/dev/null | tee "$out" >&2

echo "== cargo bench --bench crypto -- ecdsa_p256" >&2
cargo bench --bench crypto -- --warm-up-time 1 --measurement-time "$secs" ecdsa_p256 >&2

echo "== openssl speed -seconds $secs ecdsap256 (again)" >&2
openssl speed -seconds "$secs" ecdsap256 2>/dev/null | tee -a "$out" >&2

python3 - "$out" "${CARGO_TARGET_DIR:-target}/criterion" <<'EOF'
import json, re, sys
openssl_out, criterion = sys.argv[1], sys.argv[2]
runs = []
for line in open(openssl_out):
    # " 256 bits ecdsa (nistp256)   0.0000s   0.0001s  43127.3  13804.4"
    if re.search(r"ecdsa \(nistp256\)", line):
        fields = line.split()
        runs.append((float(fields[-2]), float(fields[-1])))
if not runs:
    sys.exit("no 'ecdsa (nistp256)' line in the openssl output")
for i, (s, v) in enumerate(runs):
    print(f"openssl run {i + 1}: sign {s:,.0f}/s, verify {v:,.0f}/s")
sign = sum(s for s, _ in runs) / len(runs)
verify = sum(v for _, v in runs) / len(runs)
print(f"openssl mean: sign {sign:,.0f}/s, verify {verify:,.0f}/s")
print(f"{'operation':8} {'backend':11} {'ops/s':>10} {'vs openssl':>10}")
for op, base in (("sign", sign), ("verify", verify)):
    for backend in ("aws-lc", "rustcrypto"):
        path = f"{criterion}/ecdsa_p256_{op}_rs/{backend}/new/estimates.json"
        ns = json.load(open(path))["mean"]["point_estimate"]
        ops = 1e9 / ns
        print(f"{op:8} {backend:11} {ops:>10,.0f} {ops / base:>9.2f}x")
EOF
