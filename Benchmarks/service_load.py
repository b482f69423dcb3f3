#!/usr/bin/env python3
"""The load generator of Benchmarks/run's "service" section: C concurrent clients, each on one
keep-alive HTTP/1.1 connection (asyncio, raw sockets), driving permit-check cases through
`docket serve` for S seconds: open (as the applicant), accept (a clerk), approve with the
site photos (an approver: separation of duties forbids the clerk who accepted to decide).
One command at a time per client; each client's people are its own.

    service_load.py --port P --token T --clients 64 --seconds 15 --prefix L64

Prints one JSON line: commands, commands/s, latency percentiles (ms), statuses, and this
process's own CPU seconds (a load generator that is itself the bottleneck measures nothing).
"""
import argparse
import asyncio
import json
import resource
import time


def percentile(sorted_values, p):
    if not sorted_values:
        return 0.0
    k = min(len(sorted_values) - 1, max(0, round(p / 100 * (len(sorted_values) - 1))))
    return sorted_values[k]


async def client(number, args, deadline, latencies, statuses, errors):
    reader, writer = await asyncio.open_connection("127.0.0.1", args.port)
    auth = f"Authorization: Bearer {args.token}\r\n"
    n = 0

    async def post(path, body):
        data = json.dumps(body).encode()
        request = (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{auth}Content-Type: application/json\r\n"
                   f"Content-Length: {len(data)}\r\n\r\n").encode() + data
        start = time.perf_counter()
        writer.write(request)
        head = await reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        length = 0
        for line in head.split(b"\r\n"):
            if line[:15].lower() == b"content-length:":
                length = int(line[15:])
        if length:
            await reader.readexactly(length)
        elapsed = time.perf_counter() - start
        return status, elapsed

    try:
        while time.perf_counter() < deadline:
            n += 1
            case = f"{args.prefix}-{number:03d}-{n:06d}"
            steps = [
                ("/v1/cases", {"workflow": "permit-check", "case_id": case, "by": f"applicant-{number}-{n}", "as": "applicant"}),
                (f"/v1/cases/{case}/events", {"event": "accept", "by": f"clerk-{number}", "as": "clerk"}),
                (f"/v1/cases/{case}/events", {"event": "approve", "by": f"approver-{number}", "as": "approver",
                                              "documents": ["site_photos"]}),
            ]
            for path, body in steps:
                status, elapsed = await post(path, body)
                statuses[status] = statuses.get(status, 0) + 1
                if 200 <= status < 300:
                    latencies.append(elapsed)
                else:
                    errors.append(status)
                    break
                if time.perf_counter() >= deadline:
                    break
    finally:
        writer.close()


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--clients", type=int, default=1)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--prefix", default="L")
    args = parser.parse_args()
    latencies, statuses, errors = [], {}, []
    cpu0 = resource.getrusage(resource.RUSAGE_SELF)
    start = time.perf_counter()
    deadline = start + args.seconds
    await asyncio.gather(*(client(c, args, deadline, latencies, statuses, errors) for c in range(args.clients)))
    wall = time.perf_counter() - start
    cpu1 = resource.getrusage(resource.RUSAGE_SELF)
    latencies.sort()
    ms = lambda p: round(percentile(latencies, p) * 1000, 2)
    print(json.dumps({
        "clients": args.clients, "seconds": round(wall, 3), "commands": len(latencies),
        "commands_per_s": round(len(latencies) / wall, 1), "p50_ms": ms(50), "p95_ms": ms(95), "p99_ms": ms(99),
        "max_ms": round(latencies[-1] * 1000, 2) if latencies else 0,
        "statuses": {str(k): v for k, v in sorted(statuses.items())}, "failed": len(errors),
        "loadgen_cpu_s": round(cpu1.ru_utime + cpu1.ru_stime - cpu0.ru_utime - cpu0.ru_stime, 2),
    }))


if __name__ == "__main__":
    asyncio.run(main())
