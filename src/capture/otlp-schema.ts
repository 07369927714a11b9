/**
 * The subset of the OTLP v1 protobuf schema (opentelemetry-proto, Apache-2.0)
 * that the receiver decodes: the logs and metrics export requests and
 * responses, common/resource types, Sum and Gauge points, and google.rpc.Status
 * for error bodies, written from the opentelemetry-proto v1 definitions with
 * the same message names, field names and numbers. protobufjs turns the
 * snake_case names into camelCase, which are the names the OTLP JSON encoding
 * uses, so decoded protobuf and parsed JSON have one shape. Fields and messages not listed (histograms, exemplars, profiles, trace
 * ids) are skipped by the decoder as unknown fields, which protobuf allows.
 * Parsed once, on first use, by protobufjs, which is loaded then too: a server
 * that never receives telemetry does not hold it in memory.
 */
import { createRequire } from 'node:module';
import type protobuf from 'protobufjs';

const OTLP_PROTO = `
syntax = "proto3";
package otlp;

message AnyValue {
  oneof value {
    string string_value = 1;
    bool bool_value = 2;
    int64 int_value = 3;
    double double_value = 4;
    ArrayValue array_value = 5;
    KeyValueList kvlist_value = 6;
    bytes bytes_value = 7;
  }
}
message ArrayValue { repeated AnyValue values = 1; }
message KeyValueList { repeated KeyValue values = 1; }
message KeyValue { string key = 1; AnyValue value = 2; }
message InstrumentationScope {
  string name = 1;
  string version = 2;
  repeated KeyValue attributes = 3;
  uint32 dropped_attributes_count = 4;
}
message Resource { repeated KeyValue attributes = 1; uint32 dropped_attributes_count = 2; }

message LogRecord {
  fixed64 time_unix_nano = 1;
  fixed64 observed_time_unix_nano = 11;
  int32 severity_number = 2;
  string severity_text = 3;
  AnyValue body = 5;
  repeated KeyValue attributes = 6;
  uint32 dropped_attributes_count = 7;
  fixed32 flags = 8;
  bytes trace_id = 9;
  bytes span_id = 10;
  string event_name = 12;
}
message ScopeLogs { InstrumentationScope scope = 1; repeated LogRecord log_records = 2; string schema_url = 3; }
message ResourceLogs { Resource resource = 1; repeated ScopeLogs scope_logs = 2; string schema_url = 3; }
message ExportLogsServiceRequest { repeated ResourceLogs resource_logs = 1; }
message ExportLogsPartialSuccess { int64 rejected_log_records = 1; string error_message = 2; }
message ExportLogsServiceResponse { ExportLogsPartialSuccess partial_success = 1; }

message NumberDataPoint {
  repeated KeyValue attributes = 7;
  fixed64 start_time_unix_nano = 2;
  fixed64 time_unix_nano = 3;
  oneof value {
    double as_double = 4;
    sfixed64 as_int = 6;
  }
  uint32 flags = 8;
}
message Gauge { repeated NumberDataPoint data_points = 1; }
message Sum { repeated NumberDataPoint data_points = 1; int32 aggregation_temporality = 2; bool is_monotonic = 3; }
message Metric {
  string name = 1;
  string description = 2;
  string unit = 3;
  oneof data {
    Gauge gauge = 5;
    Sum sum = 7;
  }
}
message ScopeMetrics { InstrumentationScope scope = 1; repeated Metric metrics = 2; string schema_url = 3; }
message ResourceMetrics { Resource resource = 1; repeated ScopeMetrics scope_metrics = 2; string schema_url = 3; }
message ExportMetricsServiceRequest { repeated ResourceMetrics resource_metrics = 1; }
message ExportMetricsPartialSuccess { int64 rejected_data_points = 1; string error_message = 2; }
message ExportMetricsServiceResponse { ExportMetricsPartialSuccess partial_success = 1; }

message Status { int32 code = 1; string message = 2; }
`;

export interface OtlpTypes {
  logsRequest: protobuf.Type;
  logsResponse: protobuf.Type;
  metricsRequest: protobuf.Type;
  metricsResponse: protobuf.Type;
  status: protobuf.Type;
}

let types: OtlpTypes | null = null;

/** The message types, parsed on first use. */
export function otlpTypes(): OtlpTypes {
  if (types) return types;
  const { parse } = createRequire(import.meta.url)('protobufjs') as typeof protobuf;
  const root = parse(OTLP_PROTO).root;
  types = {
    logsRequest: root.lookupType('otlp.ExportLogsServiceRequest'),
    logsResponse: root.lookupType('otlp.ExportLogsServiceResponse'),
    metricsRequest: root.lookupType('otlp.ExportMetricsServiceRequest'),
    metricsResponse: root.lookupType('otlp.ExportMetricsServiceResponse'),
    status: root.lookupType('otlp.Status'),
  };
  return types;
}
