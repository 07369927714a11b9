#!/usr/bin/env python3
"""Checks every MCP tool's JSON Schemas with a Draft-07 validator that is not the SDK's.

Starts `session-buddy mcp` (stdio) on a fresh data directory, reads tools/list, and for each tool:
  - Draft7Validator.check_schema on the input and the output schema (with format checking, so every
    `pattern` must compile as a Python `re` regex), and re.compile of every pattern found;
  - a valid input built from the input schema must validate, and the server must answer it either with
    structured content that validates against the output schema or with a structured error;
  - invalid inputs (an unknown property; a value of the wrong type; a control character in a string)
    must fail validation here and be answered by the server with a structured INVALID_INPUT error
    naming the property.

Usage: scripts/check-tool-schemas.py   (needs python3-jsonschema; run `npm run build` first for speed)
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

from jsonschema import Draft7Validator

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class StdioClient:
    def __init__(self, data_dir):
        env = dict(os.environ, SESSION_BUDDY_AUDIT="off", SESSION_BUDDY_LOG_LEVEL="error")
        self.proc = subprocess.Popen(
            ["node", os.path.join(ROOT, "bin", "session-buddy.js"), "mcp", "--data-dir", data_dir],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env, cwd=data_dir, text=True, encoding="utf-8",
        )
        self.next_id = 0

    def request(self, method, params):
        self.next_id += 1
        msg = {"jsonrpc": "2.0", "id": self.next_id, "method": method, "params": params}
        self.proc.stdin.write(json.dumps(msg) + "\n")
        self.proc.stdin.flush()
        while True:
            line = self.proc.stdout.readline()
            if not line:
                raise RuntimeError(f"server closed stdout while waiting for {method}")
            reply = json.loads(line)
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: JSON-RPC error {reply['error']}")
                return reply["result"]

    def notify(self, method):
        self.proc.stdin.write(json.dumps({"jsonrpc": "2.0", "method": method}) + "\n")
        self.proc.stdin.flush()

    def close(self):
        self.proc.stdin.close()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def patterns(schema):
    """Every `pattern` in a schema, recursively."""
    if isinstance(schema, dict):
        if isinstance(schema.get("pattern"), str):
            yield schema["pattern"]
        for v in schema.values():
            yield from patterns(v)
    elif isinstance(schema, list):
        for v in schema:
            yield from patterns(v)


def sample(schema, i=0):
    """A minimal value valid against `schema` (required properties only)."""
    if "enum" in schema:
        return schema["enum"][0]
    if "const" in schema:
        return schema["const"]
    for key in ("anyOf", "oneOf"):
        if key in schema:
            branches = [b for b in schema[key] if b.get("type") != "null"]
            return sample(branches[0], i)
    t = schema.get("type")
    if t == "string":
        s = f"sample{i}"
        return (s * (schema.get("minLength", 1) // len(s) + 1))[: max(len(s), schema.get("minLength", 1))]
    if t in ("integer", "number"):
        if "minimum" in schema:
            v = schema["minimum"]
        elif "exclusiveMinimum" in schema:
            v = schema["exclusiveMinimum"] + (1 if t == "integer" else 0.5)
        else:
            v = 1
        return min(v, schema["maximum"]) if "maximum" in schema else v
    if t == "boolean":
        return True
    if t == "array":
        items = schema.get("items", {})
        n = max(schema.get("minItems", 1), 1)
        if items.get("type") in ("number", "integer") and n > 1:
            return [round(1 / n, 6)] * (n - 1) + [round(1 - round(1 / n, 6) * (n - 1), 6)]
        return [sample(items, j) for j in range(n)]
    if t == "object" or "properties" in schema:
        props = schema.get("properties", {})
        return {k: sample(props[k], i) for k in schema.get("required", [])}
    return None


def wrong_type(prop):
    t = prop.get("type")
    if t == "string" or "enum" in prop:
        return 12345
    if t in ("integer", "number", "boolean", "array", "object"):
        return "not-a-" + t
    return None


def error_of(result):
    for block in result.get("content", []):
        if block.get("type") == "text" and block.get("text", "").startswith('{"error"'):
            return json.loads(block["text"])["error"]
    return None


def main():
    data_dir = tempfile.mkdtemp(prefix="sb-schema-check-")
    client = StdioClient(data_dir)
    failures = []
    counts = {"tools": 0, "schemas": 0, "patterns": 0, "outputs_validated": 0, "invalid_inputs": 0}

    def fail(tool, what):
        failures.append(f"{tool}: {what}")

    try:
        client.request("initialize", {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "schema-check", "version": "1"}})
        client.notify("notifications/initialized")
        tools, cursor = [], None
        while True:
            page = client.request("tools/list", {"cursor": cursor} if cursor else {})
            tools += page["tools"]
            cursor = page.get("nextCursor")
            if not cursor:
                break
        for tool in tools:
            name = tool["name"]
            counts["tools"] += 1
            schemas = {"input": tool.get("inputSchema"), "output": tool.get("outputSchema")}
            ok = True
            for kind, schema in schemas.items():
                if schema is None:
                    fail(name, f"no {kind} schema")
                    ok = False
                    continue
                try:
                    Draft7Validator.check_schema(schema)
                    counts["schemas"] += 1
                except Exception as e:  # SchemaError
                    fail(name, f"{kind} schema is not valid Draft-07: {str(e).splitlines()[0]}")
                    ok = False
                for p in patterns(schema):
                    try:
                        re.compile(p)
                        counts["patterns"] += 1
                    except re.error as e:
                        fail(name, f"{kind} pattern {p!r} does not compile in Python re: {e}")
                        ok = False
            if not ok:
                continue
            inp = Draft7Validator(schemas["input"])
            out = Draft7Validator(schemas["output"])

            valid = sample(schemas["input"])
            errs = list(inp.iter_errors(valid))
            if errs:
                fail(name, f"generated sample {valid} is invalid: {errs[0].message}")
            else:
                res = client.request("tools/call", {"name": name, "arguments": valid})
                if res.get("isError"):
                    if error_of(res) is None:
                        fail(name, f"error result without a structured error block: {res}")
                else:
                    out_errs = list(out.iter_errors(res.get("structuredContent")))
                    if out_errs:
                        fail(name, f"structured output does not match the output schema: {out_errs[0].message}")
                    else:
                        counts["outputs_validated"] += 1

            invalid = [("unknown_argument_x", dict(valid, unknown_argument_x=1))]
            for prop_name, prop in schemas["input"].get("properties", {}).items():
                bad = wrong_type(prop)
                if bad is not None:
                    invalid.append((prop_name, dict(valid, **{prop_name: bad})))
                if prop.get("type") == "string" and "pattern" in prop:
                    invalid.append((prop_name, dict(valid, **{prop_name: "bad\u0007bell"})))
            for field, args in invalid:
                if inp.is_valid(args):
                    fail(name, f"{args} should be invalid for the schema")
                    continue
                res = client.request("tools/call", {"name": name, "arguments": args})
                err = error_of(res)
                if not res.get("isError") or err is None or err.get("code") != "INVALID_INPUT" or err.get("field") != field:
                    fail(name, f"invalid {field} not answered with a structured INVALID_INPUT naming it: {res.get('content')}")
                counts["invalid_inputs"] += 1
    finally:
        client.close()
        shutil.rmtree(data_dir, ignore_errors=True)

    print(
        f"checked {counts['tools']} tools: {counts['schemas']} schemas valid Draft-07 (jsonschema Draft7Validator), "
        f"{counts['patterns']} patterns compile in Python re, {counts['outputs_validated']} real outputs validated, "
        f"{counts['invalid_inputs']} invalid inputs rejected by schema and server alike"
    )
    if failures:
        print(f"{len(failures)} failure(s):", file=sys.stderr)
        for f in failures:
            print("  " + f, file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
