"""A real Python gRPC client against a real `finrisk serve`, as an institution or court would use it.

Generates stubs with grpcio-tools from the checked-in proto, starts the server on a loopback port,
and checks health, reflection, ComputeApr, ScoreCase, AssessProduct and the ScoreCases stream.
Each result must equal what the CLI prints for the same input. Documents are converted from the
SPEC JSON with the standard protobuf JSON mapping after renaming enum values
("financial_loan" -> "CAUSE_FINANCIAL_LOAN").

Run by scripts/test.sh after `cargo test` (which builds target/debug/finrisk):
    .venv-test/bin/python tests/python/grpc_client_test.py target/debug/finrisk
Prints "python grpc client: N passed, M failed" and exits non-zero on any failure.
"""
import json
import os
import subprocess
import sys
import tempfile
import traceback

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ENUMS = {"jurisdiction": "JURISDICTION_", "cause": "CAUSE_", "repayment": "REPAYMENT_",
         "kind": "PRODUCT_KIND_", "unit": "RATE_UNIT_", "per": "FEE_PER_"}


def to_proto_json(value):
    """SPEC JSON -> protobuf JSON: enum values renamed, nulls dropped."""
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if v is None:
                continue
            if k in ENUMS and isinstance(v, str):
                out[k] = ENUMS[k] + v.upper()
            else:
                out[k] = to_proto_json(v)
        return out
    if isinstance(value, list):
        return [to_proto_json(v) for v in value]
    return value


def generate_stubs(out_dir):
    from grpc_tools import protoc
    import grpc_tools
    include = os.path.join(os.path.dirname(grpc_tools.__file__), "_proto")
    code = protoc.main(["protoc", f"-I{ROOT}/proto/proto", f"-I{include}", f"--python_out={out_dir}",
                        f"--grpc_python_out={out_dir}", f"{ROOT}/proto/proto/finrisk/v1/finrisk.proto"])
    if code != 0:
        raise RuntimeError(f"grpc_tools.protoc failed with {code}")
    sys.path.insert(0, out_dir)


def start_server(binary):
    store = os.path.join(tempfile.mkdtemp(prefix="finrisk-py-"), "review.db")
    proc = subprocess.Popen([binary, "serve", "--addr", "127.0.0.1:0", "--database", store], stderr=subprocess.PIPE,
                            stdout=subprocess.DEVNULL, text=True, env={**os.environ, "FINRISK_LOG": "warn"})
    for line in proc.stderr:
        if line.startswith("finrisk: listening on "):
            return proc, line.split()[3]
    raise RuntimeError("the server exited before listening")


def cli(binary, *args):
    out = subprocess.run([binary, *args], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "target/debug/finrisk")
    import grpc
    from google.protobuf import json_format
    from grpc_health.v1 import health_pb2, health_pb2_grpc
    from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc
    from grpc_status import rpc_status
    from google.rpc import error_details_pb2

    stubs = tempfile.mkdtemp(prefix="finrisk-py-")
    generate_stubs(stubs)
    from finrisk.v1 import finrisk_pb2 as pb, finrisk_pb2_grpc as rpc

    case_json = json.load(open(os.path.join(ROOT, "examples/case.json"), encoding="utf-8"))
    product_json = json.load(open(os.path.join(ROOT, "examples/product.json"), encoding="utf-8"))
    case_msg = json_format.ParseDict(to_proto_json(case_json), pb.Case())
    product_msg = json_format.ParseDict(to_proto_json(product_json), pb.Product())

    proc, addr = start_server(binary)
    passed, failed = 0, 0
    channel = grpc.insecure_channel(addr)
    stub = rpc.RiskAssessmentStub(channel)

    def check(name, fn):
        nonlocal passed, failed
        try:
            fn()
            passed += 1
            print(f"ok   {name}")
        except Exception:  # report and go on: every check runs
            failed += 1
            print(f"FAIL {name}")
            traceback.print_exc()

    def health():
        r = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(service="finrisk.v1.RiskAssessment"))
        assert r.status == health_pb2.HealthCheckResponse.SERVING, r

    def reflection():
        refl = reflection_pb2_grpc.ServerReflectionStub(channel)
        answers = refl.ServerReflectionInfo(iter([reflection_pb2.ServerReflectionRequest(list_services="")]))
        names = [s.name for a in answers for s in a.list_services_response.service]
        assert "finrisk.v1.RiskAssessment" in names, names

    def compute_apr():
        r = stub.ComputeApr(pb.ComputeAprRequest(principal_minor=1000000, term_months=12,
                                                 repayment=pb.REPAYMENT_EQUAL_INSTALLMENT, monthly_fee_rate=0.008,
                                                 include_result_json=True))
        assert f"{r.apr_nominal:.6f}" == "0.172708", r.apr_nominal
        expected = cli(binary, "apr", "--principal-minor", "1000000", "--term-months", "12",
                       "--repayment", "equal_installment", "--monthly-fee-rate", "0.008")
        assert json.loads(r.result_json) == expected

    def score_case():
        r = stub.ScoreCase(pb.ScoreCaseRequest(case=case_msg, include_result_json=True))
        expected = cli(binary, "score-case", "--case", os.path.join(ROOT, "examples/case.json"))
        assert json.loads(r.result_json) == expected
        assert r.assessment.grade == expected["grade"]
        assert r.excess_minor == expected["excess_minor"]

    def assess_product():
        r = stub.AssessProduct(pb.AssessProductRequest(product=product_msg, include_result_json=True))
        expected = cli(binary, "assess-product", "--product", os.path.join(ROOT, "examples/product.json"))
        assert json.loads(r.result_json) == expected
        assert [f.code for f in r.assessment.findings] == [f["code"] for f in expected["findings"]]

    def score_cases_stream():
        def requests():
            for k in range(25):
                msg = pb.Case()
                msg.CopyFrom(case_msg)
                msg.case_id = f"PY-{k:03d}"
                yield pb.ScoreCaseRequest(case=msg)
        answers = list(stub.ScoreCases(requests()))
        ids = [r.case_id for r in answers]
        assert ids == [f"PY-{k:03d}" for k in range(25)], ids
        # Without include_result_json the typed fields come alone.
        assert all(r.result_json == "" and r.assessment.grade for r in answers)

    def invalid_argument():
        bad = pb.Case()
        bad.CopyFrom(case_msg)
        bad.contract.term_months = 0
        try:
            stub.ScoreCase(pb.ScoreCaseRequest(case=bad))
        except grpc.RpcError as e:
            assert e.code() == grpc.StatusCode.INVALID_ARGUMENT, e.code()
            status = rpc_status.from_call(e)
            fields = []
            for detail in status.details:
                info = error_details_pb2.BadRequest()
                if detail.Unpack(info):
                    fields += [v.field for v in info.field_violations]
            assert fields == ["contract.term_months"], fields
            return
        raise AssertionError("INVALID_ARGUMENT expected")

    def review_loop():
        review = rpc.ReviewStub(channel)
        s = review.SubmitProduct(pb.SubmitProductRequest(product=product_msg, note="self-check from python"))
        assert s.status == "submitted" and s.version == 1, s
        queue = review.ListQueue(pb.ListQueueRequest(role="mediator"))
        assert s.id in [e.id for e in queue.entries], queue
        s = review.Decide(pb.DecideRequest(submission_id=s.id, decision="start_mediation", expected_version=1))
        s = review.Decide(pb.DecideRequest(
            submission_id=s.id, decision="return", expected_version=s.version, note="state the APR",
            marks=[pb.FindingMark(code="MK-NO-APR", mark="confirmed", note="daily rate only")]))
        assert s.status == "returned", s.status
        view = json.loads(s.submission_json)
        marked = [f for f in view["revisions"][0]["findings"] if f["code"] == "MK-NO-APR"][0]
        assert marked["marks"][0]["note"] == "daily rate only", marked
        try:
            review.Decide(pb.DecideRequest(submission_id=s.id, decision="forward", expected_version=1))
        except grpc.RpcError as e:
            assert e.code() == grpc.StatusCode.FAILED_PRECONDITION, e.code()
            status = rpc_status.from_call(e)
            subjects = []
            for detail in status.details:
                info = error_details_pb2.PreconditionFailure()
                if detail.Unpack(info):
                    subjects += [(v.type, v.subject) for v in info.violations]
            assert subjects == [("VERSION", s.id)], subjects
        else:
            raise AssertionError("FAILED_PRECONDITION expected for a stale version")
        trail = review.GetAuditTrail(pb.GetAuditTrailRequest(submission_id=s.id))
        assert [e.action for e in trail.events] == ["submit", "start_mediation", "return"], trail
        assert all(b.prev_hash == a.hash for a, b in zip(trail.events, trail.events[1:]))
        report = review.GetDiagnosticReport(pb.GetSubmissionRequest(submission_id=s.id))
        assert "<svg" in report.html and "state the APR" in report.html

    try:
        check("Review: submit, mediate, return, stale version, audit trail, report", review_loop)
        check("health is SERVING", health)
        check("reflection lists finrisk.v1.RiskAssessment", reflection)
        check("ComputeApr equals `finrisk apr`", compute_apr)
        check("ScoreCase equals `finrisk score-case`", score_case)
        check("AssessProduct equals `finrisk assess-product`", assess_product)
        check("ScoreCases answers in order", score_cases_stream)
        check("INVALID_ARGUMENT carries BadRequest field violations", invalid_argument)
    finally:
        channel.close()
        proc.terminate()
        proc.wait(timeout=10)
    print(f"python grpc client: {passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
