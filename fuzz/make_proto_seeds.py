"""Writes the seed inputs of the `proto_requests` fuzz target (fuzz/corpus/proto_requests).

Each seed is one selector byte (0 ScoreCase, 1 AssessProduct, 2 CheckAd) and the encoded request,
built from the SPEC examples with the protobuf JSON mapping. Run with the test environment's
Python (scripts/test.sh creates it):
    .venv-test/bin/python fuzz/make_proto_seeds.py
"""
import json
import os
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "python"))

from grpc_client_test import generate_stubs, to_proto_json  # noqa: E402


def main():
    generate_stubs(tempfile.mkdtemp(prefix="finrisk-seeds-"))
    from google.protobuf import json_format
    from finrisk.v1 import finrisk_pb2 as pb

    def load(name):
        with open(os.path.join(ROOT, "examples", name), encoding="utf-8") as f:
            return json.load(f)

    case = json_format.ParseDict(to_proto_json(load("case.json")), pb.Case())
    product = json_format.ParseDict(to_proto_json(load("product.json")), pb.Product())
    assess = json_format.ParseDict(load("assess_product_request.json"), pb.AssessProductRequest())
    grants = []
    with open(os.path.join(ROOT, "examples", "grants.csv"), encoding="utf-8") as f:
        header = f.readline().strip().split(",")
        for line in f:
            row = dict(zip(header, line.strip().split(",")))
            grant = pb.Grant(grant_id=row["grant_id"], institution_id=row["institution_id"],
                             product_id=row["product_id"], borrower_key=row["borrower_key"],
                             granted_at=row["granted_at"],
                             principal_minor=int(row["principal_minor"]),
                             term_months=int(row["term_months"]), apr=float(row["apr"]),
                             borrower_age=int(row["borrower_age"]),
                             monthly_income_minor=int(row["monthly_income_minor"]),
                             income_verified=row["income_verified"] == "1",
                             is_student=row["is_student"] == "1", dti=float(row["dti"]),
                             active_lenders=int(row["active_lenders"]),
                             inquiries_30d=int(row["inquiries_30d"]),
                             phone_hash=row["phone_hash"], device_hash=row["device_hash"],
                             defaulted=row["defaulted"] == "1")
            if row["closed_at"]:
                grant.closed_at = row["closed_at"]
            grants.append(grant)
    seeds = {
        "assess_product_with_grants": (1, pb.AssessProductRequest(product=product, grants=grants,
                                                                  as_of="2024-06-30")),
        "score_case": (0, pb.ScoreCaseRequest(case=case)),
        "assess_product": (1, assess),
        "assess_product_alone": (1, pb.AssessProductRequest(product=product)),
        "check_ad": (2, pb.CheckAdRequest(text=product.marketing[0].text)),
        "check_ad_with_product": (2, pb.CheckAdRequest(text="0 interest, approved in 1 minute!",
                                                      product=product)),
    }
    out = os.path.join(ROOT, "fuzz", "corpus", "proto_requests")
    os.makedirs(out, exist_ok=True)
    for name, (selector, message) in seeds.items():
        with open(os.path.join(out, f"seed_{name}"), "wb") as f:
            f.write(bytes([selector]) + message.SerializeToString())
        print(f"{name}: {message.ByteSize() + 1} bytes")


if __name__ == "__main__":
    main()
