#!/usr/bin/env python3
"""The kind of validator validate-cidr.sh ran: the registry loaded with PyYAML's safe_load,
every CIDR parsed with ipaddress (strict), duplicates found with a set, and every pair of
clients compared with IPv4Network.overlaps.

Usage: validate-cidr-baseline.py REGISTRY [BUDGET_SECONDS]

The report goes to stderr, in the script's words; a JSON summary to stdout. With a budget,
the pairwise loop stops once it is spent and the summary says how far it got, so the
benchmark can extrapolate (`timed_out`, `pairs_done`, `pairs_total`, `load_s`).
"""

import ipaddress
import json
import sys
import time

import yaml


def main():
    path = sys.argv[1]
    budget = float(sys.argv[2]) if len(sys.argv) > 2 else None
    started = time.monotonic()
    log = sys.stderr
    print(f"[INFO] Validating CIDR registry: {path}", file=log)
    with open(path, encoding="utf-8") as handle:
        registry = yaml.safe_load(handle)
    clients = (registry or {}).get("clients") or {}
    print(f"[INFO] Found {len(clients)} client VPC CIDRs", file=log)
    errors = 0
    seen = set()
    networks = []
    for name, client in clients.items():
        cidr = str(client.get("vpc_cidr", ""))
        try:
            network = ipaddress.IPv4Network(cidr, strict=True)
        except ValueError as error:
            print(f"[ERROR] Invalid CIDR for {name}: {cidr} ({error})", file=log)
            errors += 1
            continue
        print(f"[INFO] ✓ Valid CIDR: {cidr}", file=log)
        if cidr in seen:
            print(f"[ERROR] Duplicate CIDR: {cidr}", file=log)
            errors += 1
        seen.add(cidr)
        networks.append((name, network))
    load_s = time.monotonic() - started
    total = len(networks) * (len(networks) - 1) // 2
    done = 0
    timed_out = False
    for i, (name, network) in enumerate(networks):
        for other_name, other in networks[i + 1:]:
            if network.overlaps(other):
                print(f"[ERROR] {name} {network} overlaps {other_name} {other}", file=log)
                errors += 1
        done += len(networks) - i - 1
        if budget is not None and time.monotonic() - started > budget:
            timed_out = True
            break
    if not timed_out:
        if errors:
            print("[ERROR] CIDR Registry Validation: FAILED", file=log)
        else:
            print("[SUCCESS] No duplicate CIDRs found", file=log)
            print("[SUCCESS] All CIDRs have valid format", file=log)
            print("[SUCCESS] CIDR Registry Validation: PASSED", file=log)
    summary = {
        "clients": len(clients),
        "errors": errors,
        "load_s": load_s,
        "elapsed_s": time.monotonic() - started,
        "pairs_done": done,
        "pairs_total": total,
        "timed_out": timed_out,
    }
    print(json.dumps(summary))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
