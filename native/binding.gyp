{
  "targets": [
    {
      "target_name": "transcript_scan",
      "sources": ["transcript_scan.cc"],
      "cflags_cc": ["-O3", "-std=c++17"],
      "defines": ["NAPI_VERSION=8"]
    }
  ]
}
