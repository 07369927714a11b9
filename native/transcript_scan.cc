// Native transcript line scanner: the same decisions and the same decoded
// fields as the JavaScript path (src/capture/transcript-scan.ts handleLine and
// src/capture/transcript-lazy-json.ts reduceLine), done over a chunk of lines
// in one call. Per line: trim, count, oversize, `{...}`, UTF-8, the needle
// test for short lines, then the fields pairing reads, written out as JSON.
// Short lines (< 4 KiB) are validated as strictly as JSON.parse does; long
// ones are walked lazily (strings skipped 64 bytes at a time) and only the values
// kept are validated. The result is one JSON text per call:
//   [[i,type,timestamp,...],[i,"reason"],...]
// where i counts the line breaks before the line within the call: the line
// tuples of transcript-pairing.ts (fields by position, without their keys,
// which halves what JSON.parse reads), for assistant and user lines only, and
// the malformed lines.
//
// scan(buf, from, to, stopAt, final, maxLineBytes, meta, inputKeys[, utf8To]) -> string | undefined
//   lines starting at [from, stopAt) whose newline lies before `to` (with
//   `final`, the bytes after the last newline are a line too); meta (Int32Array(3)) receives
//   [offset after the last line consumed, line breaks counted, non-blank lines]. `utf8To`: the
//   caller checked that [from, utf8To) is valid UTF-8 (e.g. with Node's simdutf-backed
//   buffer.isUtf8, several times faster than ValidUtf8 here), so lines ending by then are not checked again.
#include <node_api.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

// SSE2 (every x86-64 CPU) where the compiler targets it; elsewhere (e.g. ARM) portable code to the
// same result. SB_PORTABLE takes the portable code on x86-64 too: scripts/check-portable-scanner.mjs
// builds it so, and runs the scanner's tests against it.
#if defined(__SSE2__) && !defined(SB_PORTABLE)
#define SB_SSE2 1
#include <emmintrin.h>
#endif

namespace {

constexpr size_t BAD = SIZE_MAX;
constexpr size_t LAZY_MIN_BYTES = 4096;
constexpr size_t TEXT_HEAD_BYTES = 4096;
constexpr size_t ERROR_TEXT_BYTES = 16 * 1024;
constexpr size_t kKeepOutBytes = 16 * 1024 * 1024;

inline bool IsWs(uint8_t c) { return c == 0x20 || c == 0x09 || c == 0x0a || c == 0x0d; }

// Whether the 64 bytes at s are all ASCII.
inline bool Ascii64(const uint8_t* s) {
#if defined(SB_SSE2)
  __m128i a = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s));
  __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s + 16));
  __m128i c = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s + 32));
  __m128i d = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s + 48));
  return _mm_movemask_epi8(_mm_or_si128(_mm_or_si128(a, b), _mm_or_si128(c, d))) == 0;
#else
  uint64_t w[8];
  memcpy(w, s, 64);
  return ((w[0] | w[1] | w[2] | w[3] | w[4] | w[5] | w[6] | w[7]) & 0x8080808080808080ULL) == 0;
#endif
}

// Bit k set where s[k] == c, for the 64 bytes at s.
inline uint64_t EqMask64(const uint8_t* s, uint8_t c) {
#if defined(SB_SSE2)
  const __m128i v = _mm_set1_epi8(static_cast<char>(c));
  const __m128i* q = reinterpret_cast<const __m128i*>(s);
  uint64_t a = static_cast<uint32_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_loadu_si128(q), v)));
  uint64_t b = static_cast<uint32_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_loadu_si128(q + 1), v)));
  uint64_t d = static_cast<uint32_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_loadu_si128(q + 2), v)));
  uint64_t e = static_cast<uint32_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_loadu_si128(q + 3), v)));
  return a | b << 16 | d << 32 | e << 48;
#else
  uint64_t m = 0;
  for (int k = 0; k < 64; k++) m |= static_cast<uint64_t>(s[k] == c) << k;
  return m;
#endif
}

// The characters of a 64-byte block escaped by a backslash (the one after an odd run of them),
// given the block's backslashes; `prevEscaped` (0 or 1) carries whether the block's first
// character is escaped from the block before, and is set for the next block (simdjson's
// find_escaped).
inline uint64_t Escaped(uint64_t backslash, uint64_t& prevEscaped) {
  constexpr uint64_t kEven = 0x5555555555555555ULL;
  backslash &= ~prevEscaped;
  uint64_t followsEscape = backslash << 1 | prevEscaped;
  uint64_t oddStarts = backslash & ~kEven & ~followsEscape;
  uint64_t sequencesOnEven;
  prevEscaped = __builtin_add_overflow(oddStarts, backslash, &sequencesOnEven) ? 1 : 0;
  uint64_t invert = sequencesOnEven << 1;
  return (kEven ^ invert) & followsEscape;
}

// Strict UTF-8 (no overlongs, no surrogates, at most U+10FFFF), as Buffer's isUtf8.
bool ValidUtf8(const uint8_t* s, size_t n) {
  size_t i = 0;
  while (i < n) {
    if (i + 64 <= n && Ascii64(s + i)) {
      i += 64;
      continue;
    }
    if (i + 8 <= n) {
      uint64_t w;
      memcpy(&w, s + i, 8);
      if ((w & 0x8080808080808080ULL) == 0) {
        i += 8;
        continue;
      }
    }
    uint8_t c = s[i];
    if (c < 0x80) {
      i++;
      continue;
    }
    size_t len;
    uint32_t cp;
    if (c >= 0xc2 && c <= 0xdf) {
      len = 2;
      cp = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
      len = 3;
      cp = c & 0x0f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      len = 4;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + len > n) return false;
    for (size_t k = 1; k < len; k++) {
      uint8_t d = s[i + k];
      if ((d & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (d & 0x3f);
    }
    if (len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) return false;
    if (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) return false;
    i += len;
  }
  return true;
}

inline int Hex(uint8_t c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// One line's bytes [0, n).
class Line {
 public:
  Line(const uint8_t* p, size_t n) : p_(p), n_(n) {}

  // Reducing a line walks its values once per level it descends (the top object skips `message`,
  // the message skips `content`, the content array skips each block, a block skips its own
  // `content`), so a long tool output would be walked four times. The end of every value of at
  // least kMemoBytes found by a walk is kept (by start, in order: a walk goes left to right),
  // and the later walks jump over it.
  static constexpr size_t kMemoBytes = 256;

  size_t Remembered(size_t i) const {
    if (ends_.empty() || i > ends_.back().first) return BAD;
    auto it = std::lower_bound(ends_.begin(), ends_.end(), std::make_pair(i, size_t{0}));
    return it != ends_.end() && it->first == i ? it->second : BAD;
  }

  size_t Remember(size_t i, size_t end) const {
    if (end != BAD && end - i >= kMemoBytes) {
      if (ends_.empty() || i > ends_.back().first) ends_.emplace_back(i, end);
      else ends_.insert(std::lower_bound(ends_.begin(), ends_.end(), std::make_pair(i, size_t{0})), {i, end});
    }
    return end;
  }

  size_t Ws(size_t i) const {
    while (i < n_ && IsWs(p_[i])) i++;
    return i;
  }

  // Whitespace skipped up to `end` (not past it).
  size_t WsTo(size_t end, size_t i) const {
    while (i < end && IsWs(p_[i])) i++;
    return i;
  }

  // p_[i] is the opening quote; the index after the closing one (escapes not checked, only
  // skipped), or BAD. 64 bytes per step: the quotes of a block that no odd run of backslashes
  // escapes (simdjson's method), so escaped quotes in long tool output cost nothing extra.
  size_t SkipString(size_t i) const {
    size_t from = i + 1;
#if defined(SB_SSE2)
    // Most strings (keys, short values) end within 16 bytes, before any backslash.
    if (from + 16 <= n_) {
      __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p_ + from));
      unsigned q = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8('"'))));
      unsigned b = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8('\\'))));
      if (q != 0 && (b == 0 || __builtin_ctz(q) < __builtin_ctz(b))) return from + static_cast<size_t>(__builtin_ctz(q)) + 1;
    }
#endif
    size_t known = Remembered(i);
    if (known != BAD) return known;
    uint64_t prevEscaped = 0;
    uint8_t tail[64];
    while (from < n_) {
      const uint8_t* block = p_ + from;
      size_t avail = n_ - from;
      if (avail < 64) {
        memset(tail, ' ', sizeof tail);
        memcpy(tail, block, avail);
        block = tail;
      }
      uint64_t quotes = EqMask64(block, '"');
      uint64_t escaped = Escaped(EqMask64(block, '\\'), prevEscaped);
      uint64_t real = quotes & ~escaped;
      if (real != 0) {
        size_t at = static_cast<size_t>(__builtin_ctzll(real));
        return at < avail ? Remember(i, from + at + 1) : BAD;
      }
      from += 64;
    }
    return BAD;
  }

  // The index after the value that starts at i (lazily: strings and scalars not checked).
  size_t SkipValue(size_t i) const {
    if (i >= n_) return BAD;
    uint8_t c = p_[i];
    if (c == '"') return SkipString(i);
    if (c == '{' || c == '[') {
      size_t known = Remembered(i);
      if (known != BAD) return known;
      size_t start = i;
      int64_t depth = 0;
      while (i < n_) {
        uint8_t ch = p_[i];
        if (ch == '"') {
          i = SkipString(i);
          if (i == BAD) return BAD;
          continue;
        }
        if (ch == '{' || ch == '[') {
          depth++;
        } else if (ch == '}' || ch == ']') {
          depth--;
          if (depth == 0) return Remember(start, i + 1);
        }
        i++;
      }
      return BAD;
    }
    size_t start = i;
    while (i < n_ && p_[i] != ',' && p_[i] != '}' && p_[i] != ']' && !IsWs(p_[i])) i++;
    return i == start ? BAD : i;
  }

  // A strict JSON string at [i, ...): the index after its closing quote, or BAD.
  size_t StrictString(size_t i, size_t end) const {
    i++;
    while (i < end) {
#if defined(SB_SSE2)
      // 16 bytes at a time up to the next quote, backslash or control character.
      while (i + 16 <= end) {
        __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p_ + i));
        __m128i special = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')), _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'))),
                                       _mm_cmpeq_epi8(_mm_min_epu8(v, _mm_set1_epi8(0x1f)), v));
        unsigned m = static_cast<unsigned>(_mm_movemask_epi8(special));
        if (m != 0) {
          i += static_cast<size_t>(__builtin_ctz(m));
          break;
        }
        i += 16;
      }
      if (i >= end) return BAD;
#endif
      uint8_t c = p_[i];
      if (c == '"') return i + 1;
      if (c < 0x20) return BAD;
      if (c == '\\') {
        if (i + 1 >= end) return BAD;
        uint8_t e = p_[i + 1];
        if (e == 'u') {
          if (i + 5 >= end) return BAD;
          for (int k = 2; k < 6; k++)
            if (Hex(p_[i + k]) < 0) return BAD;
          i += 6;
          continue;
        }
        if (e != '"' && e != '\\' && e != '/' && e != 'b' && e != 'f' && e != 'n' && e != 'r' && e != 't') return BAD;
        i += 2;
        continue;
      }
      i++;
    }
    return BAD;
  }

  size_t StrictNumber(size_t i, size_t end) const {
    if (i < end && p_[i] == '-') i++;
    if (i >= end) return BAD;
    if (p_[i] == '0') {
      i++;
    } else if (p_[i] >= '1' && p_[i] <= '9') {
      while (i < end && p_[i] >= '0' && p_[i] <= '9') i++;
    } else {
      return BAD;
    }
    if (i < end && p_[i] == '.') {
      i++;
      size_t d = i;
      while (i < end && p_[i] >= '0' && p_[i] <= '9') i++;
      if (i == d) return BAD;
    }
    if (i < end && (p_[i] == 'e' || p_[i] == 'E')) {
      i++;
      if (i < end && (p_[i] == '+' || p_[i] == '-')) i++;
      size_t d = i;
      while (i < end && p_[i] >= '0' && p_[i] <= '9') i++;
      if (i == d) return BAD;
    }
    return i;
  }

  // An object member's key at i, strictly, and its colon: the index of the member's value, or BAD.
  size_t StrictKey(size_t i, size_t end) const {
    if (i >= end || p_[i] != '"') return BAD;
    i = StrictString(i, end);
    if (i == BAD) return BAD;
    i = WsTo(end, i);
    if (i >= end || p_[i] != ':') return BAD;
    return WsTo(end, i + 1);
  }

  // Whether [a, b) is exactly one JSON value (whitespace around it allowed), as JSON.parse accepts.
  bool Valid(size_t a, size_t b) const {
    std::vector<uint8_t> stack;  // '{' or '['
    size_t i = WsTo(b, a);
    // States: expecting a value; after a value (in a container: ',' or its close).
    for (;;) {
      // A value at i.
      if (i >= b) return false;
      uint8_t c = p_[i];
      if (c == '{' || c == '[') {
        stack.push_back(c);
        i = WsTo(b, i + 1);
        if (i < b && p_[i] == (c == '{' ? '}' : ']')) {
          stack.pop_back();
          i++;
        } else {
          if (c == '{' && (i = StrictKey(i, b)) == BAD) return false;
          continue;
        }
      } else if (c == '"') {
        i = StrictString(i, b);
        if (i == BAD) return false;
      } else if (c == 't' || c == 'f' || c == 'n') {
        const char* word = c == 't' ? "true" : c == 'f' ? "false" : "null";
        size_t len = strlen(word);
        if (i + len > b || memcmp(p_ + i, word, len) != 0) return false;
        i += len;
      } else {
        i = StrictNumber(i, b);
        if (i == BAD) return false;
      }
      // After a value.
      for (;;) {
        i = WsTo(b, i);
        if (stack.empty()) return i == b;
        if (i >= b) return false;
        uint8_t top = stack.back();
        if (p_[i] == ',') {
          i = WsTo(b, i + 1);
          if (top == '{' && (i = StrictKey(i, b)) == BAD) return false;
          break;  // the next value
        }
        if (p_[i] == (top == '{' ? '}' : ']')) {
          stack.pop_back();
          i++;
          continue;
        }
        return false;
      }
    }
  }

  // The decoded text of the JSON string at [a, b) (b after the closing quote), UTF-8.
  std::string Unescape(size_t a, size_t b) const {
    std::string out;
    for (size_t i = a + 1; i + 1 < b; i++) {
      uint8_t c = p_[i];
      if (c != '\\') {
        out.push_back(static_cast<char>(c));
        continue;
      }
      uint8_t e = p_[++i];
      switch (e) {
        case 'b': out.push_back('\b'); break;
        case 'f': out.push_back('\f'); break;
        case 'n': out.push_back('\n'); break;
        case 'r': out.push_back('\r'); break;
        case 't': out.push_back('\t'); break;
        case 'u': {
          uint32_t cp = 0;
          for (int k = 1; k <= 4 && i + k < b; k++) cp = (cp << 4) | static_cast<uint32_t>(Hex(p_[i + k]) & 0xf);
          i += 4;
          if (cp >= 0xd800 && cp <= 0xdbff && i + 6 < b && p_[i + 1] == '\\' && p_[i + 2] == 'u') {
            uint32_t lo = 0;
            for (int k = 3; k <= 6; k++) lo = (lo << 4) | static_cast<uint32_t>(Hex(p_[i + k]) & 0xf);
            if (lo >= 0xdc00 && lo <= 0xdfff) {
              cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
              i += 6;
            }
          }
          if (cp < 0x80) {
            out.push_back(static_cast<char>(cp));
          } else if (cp < 0x800) {
            out.push_back(static_cast<char>(0xc0 | (cp >> 6)));
            out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
          } else if (cp < 0x10000) {
            out.push_back(static_cast<char>(0xe0 | (cp >> 12)));
            out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
            out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
          } else {
            out.push_back(static_cast<char>(0xf0 | (cp >> 18)));
            out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3f)));
            out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
            out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
          }
          break;
        }
        default: out.push_back(static_cast<char>(e));
      }
    }
    return out;
  }

  // Whether the string value at [a, b) decodes to `text`.
  bool StringIs(size_t a, size_t b, const std::string& text) const {
    if (a == BAD || p_[a] != '"') return false;
    const void* bs = memchr(p_ + a + 1, '\\', b - a - 2);
    if (bs == nullptr) return b - a - 2 == text.size() && memcmp(p_ + a + 1, text.data(), text.size()) == 0;
    return Unescape(a, b) == text;
  }

  // The members of the object at i: for each of `keys`, the range of its last value (a = BAD when absent).
  // Returns the index after the object, or BAD.
  size_t Members(size_t i, const std::vector<std::string>& keys, std::vector<std::pair<size_t, size_t>>& found) const {
    found.assign(keys.size(), {BAD, BAD});
    i = Ws(i);
    if (i >= n_ || p_[i] != '{') return BAD;
    i = Ws(i + 1);
    if (i < n_ && p_[i] == '}') return i + 1;
    for (;;) {
      if (i >= n_ || p_[i] != '"') return BAD;
      size_t keyEnd = SkipString(i);
      if (keyEnd == BAD) return BAD;
      // A key with escapes is decoded, as JSON.parse would: an invalid escape is invalid JSON. The
      // test for escapes is made once per key, not once per name compared.
      size_t len = keyEnd - i - 2;
      size_t k = 0;
      if (memchr(p_ + i + 1, '\\', len) == nullptr) {
        for (; k < keys.size(); k++)
          if (keys[k].size() == len && memcmp(p_ + i + 1, keys[k].data(), len) == 0) break;
      } else {
        if (StrictString(i, keyEnd) != keyEnd) return BAD;
        std::string key = Unescape(i, keyEnd);
        for (; k < keys.size(); k++)
          if (keys[k] == key) break;
      }
      i = Ws(keyEnd);
      if (i >= n_ || p_[i] != ':') return BAD;
      size_t vs = Ws(i + 1);
      size_t ve = SkipValue(vs);
      if (ve == BAD) return BAD;
      if (k < keys.size()) found[k] = {vs, ve};
      i = Ws(ve);
      if (i < n_ && p_[i] == ',') {
        i = Ws(i + 1);
        continue;
      }
      if (i < n_ && p_[i] == '}') return i + 1;
      return BAD;
    }
  }

  bool Elements(size_t i, std::vector<std::pair<size_t, size_t>>& out) const {
    out.clear();
    i = Ws(i);
    if (i >= n_ || p_[i] != '[') return false;
    i = Ws(i + 1);
    if (i < n_ && p_[i] == ']') return true;
    for (;;) {
      size_t ve = SkipValue(i);
      if (ve == BAD) return false;
      out.push_back({i, ve});
      i = Ws(ve);
      if (i < n_ && p_[i] == ',') {
        i = Ws(i + 1);
        continue;
      }
      return i < n_ && p_[i] == ']';
    }
  }

  const uint8_t* p_;
  size_t n_;

 private:
  mutable std::vector<std::pair<size_t, size_t>> ends_;
};

// Writes what pairing reads of one line, by position (the line tuple of transcript-pairing.ts:
// the fields transcript-lazy-json.ts reduceLine keeps, without their keys), after its index.
class Reducer {
 public:
  Reducer(const Line& line, bool strict, const std::vector<std::string>& inputKeys, std::string& out)
      : l_(line), strict_(strict), inputKeys_(inputKeys), out_(out) {}

  // False when the line is not valid JSON. `pairs`: false for a line of another type than
  // assistant or user (validated as the others, then dropped: it holds nothing to pair).
  bool Run(bool& pairs) {
    static const std::vector<std::string> kTop = {"type", "timestamp", "sessionId", "cwd", "isSidechain", "agentId",
                                                  "attributionSkill", "isMeta", "isCompactSummary", "message"};
    static const std::vector<std::string> kMessage = {"id", "model", "usage", "content"};
    static const std::string kAssistant = "assistant", kUser = "user";
    std::vector<std::pair<size_t, size_t>> top;
    size_t end = l_.Members(0, kTop, top);
    if (end == BAD || l_.Ws(end) != l_.n_) return false;
    auto type = top[0];
    if (!Check(type)) return false;
    bool assistant = type.first != BAD && l_.StringIs(type.first, type.second, kAssistant);
    userLine_ = !assistant && type.first != BAD && l_.StringIs(type.first, type.second, kUser);
    pairs = assistant || userLine_;
    out_.append(assistant ? ",1" : ",2");
    for (size_t k = 1; k + 1 < kTop.size(); k++)
      if (!Field(top[k])) return false;
    out_.push_back(',');
    auto msg = top.back();
    if (msg.first == BAD || l_.p_[msg.first] != '{') return Null(msg);
    std::vector<std::pair<size_t, size_t>> m;
    if (l_.Members(msg.first, kMessage, m) == BAD) return false;
    out_.push_back('[');
    if (!Value(m[0]) || !Field(m[1])) return false;
    out_.push_back(',');
    if (!Usage(m[2])) return false;
    out_.push_back(',');
    auto content = m[3];
    uint8_t c = content.first == BAD ? 0 : l_.p_[content.first];
    if (c == '"') {
      if (!Head(content, TEXT_HEAD_BYTES)) return false;
    } else if (c == '[') {
      if (!Content(content)) return false;
    } else if (!Null(content)) {
      return false;
    }
    out_.push_back(']');
    return true;
  }

 private:
  // Validates a value that is not written (lazily walked lines only; short ones were validated whole).
  bool Check(std::pair<size_t, size_t> r) { return r.first == BAD || strict_ || l_.Valid(r.first, r.second); }

  // The value at r, or null when absent.
  bool Value(std::pair<size_t, size_t> r) {
    if (r.first == BAD) {
      out_.append("null");
      return true;
    }
    if (!strict_ && !l_.Valid(r.first, r.second)) return false;
    out_.append(reinterpret_cast<const char*>(l_.p_ + r.first), r.second - r.first);
    return true;
  }

  bool Field(std::pair<size_t, size_t> r) {
    out_.push_back(',');
    return Value(r);
  }

  // null for a value pairing reads as absent (validated, not written).
  bool Null(std::pair<size_t, size_t> r) {
    out_.append("null");
    return Check(r);
  }

  // A string value cut to its first `bytes` bytes (transcript-lazy-json.ts stringHead).
  bool Head(std::pair<size_t, size_t> r, size_t bytes) {
    if (r.first == BAD || r.second - r.first <= bytes) return Value(r);
    const uint8_t* p = l_.p_;
    size_t a = r.first;
    if (p[a] != '"') {
      out_.append("\"\"");
      return true;
    }
    size_t cut = a + bytes;
    while (cut > a + 1 && (p[cut] & 0xc0) == 0x80) cut--;
    size_t bs = 0;
    while (p[cut - 1 - bs] == '\\') bs++;
    int64_t e = static_cast<int64_t>(cut) - 1;
    while (e >= 0 && p[e] != '\\') e--;
    if (bs % 2 == 1 || (e >= static_cast<int64_t>(cut) - 6 && e > static_cast<int64_t>(a))) cut = static_cast<size_t>(e);
    std::string s(reinterpret_cast<const char*>(p + a), cut - a);
    s.push_back('"');
    Line cand(reinterpret_cast<const uint8_t*>(s.data()), s.size());
    if (cand.StrictString(0, s.size()) == s.size()) out_.append(s);
    else out_.append("\"\"");
    return true;
  }

  // The token counts of `usage`: [input_tokens, output_tokens, cache_creation_input_tokens,
  // cache_creation.ephemeral_1h_input_tokens, cache_read_input_tokens] (null where absent, the 1-hour
  // count also where cache_creation is not an object), or null when usage is not an object.
  bool Usage(std::pair<size_t, size_t> r) {
    static const std::vector<std::string> kUsage = {"input_tokens", "output_tokens", "cache_creation_input_tokens", "cache_creation",
                                                    "cache_read_input_tokens"};
    static const std::vector<std::string> kCacheCreation = {"ephemeral_1h_input_tokens"};
    if (r.first == BAD || l_.p_[r.first] != '{') return Null(r);
    // Validated whole, as JSON.parse of the object would (the JavaScript path decodes it so).
    if (!Check(r)) return false;
    std::vector<std::pair<size_t, size_t>> m;
    if (l_.Members(r.first, kUsage, m) == BAD) return false;
    out_.push_back('[');
    if (!Value(m[0]) || !Field(m[1]) || !Field(m[2])) return false;
    out_.push_back(',');
    auto cc = m[3];
    if (cc.first != BAD && l_.p_[cc.first] == '{') {
      std::vector<std::pair<size_t, size_t>> c;
      if (l_.Members(cc.first, kCacheCreation, c) == BAD || !Value(c[0])) return false;
    } else {
      out_.append("null");
    }
    if (!Field(m[4])) return false;
    out_.push_back(']');
    return true;
  }

  // A tool call's input: its members named in inputKeys (an object), or null when it is not an object.
  bool Input(std::pair<size_t, size_t> r) {
    if (r.first == BAD || l_.p_[r.first] != '{') return Null(r);
    std::vector<std::pair<size_t, size_t>> m;
    if (l_.Members(r.first, inputKeys_, m) == BAD) return false;
    out_.push_back('{');
    bool first = true;
    for (size_t k = 0; k < inputKeys_.size(); k++) {
      if (m[k].first == BAD) continue;
      if (!first) out_.push_back(',');
      first = false;
      out_.push_back('"');
      out_.append(inputKeys_[k]);
      out_.append("\":");
      if (!Value(m[k])) return false;
    }
    out_.push_back('}');
    return true;
  }

  // The content blocks: [1,id,name,input] tool_use, [2,tool_use_id,is_error,error content] tool_result,
  // [3,text] text (its start, in user lines), [4] image, [0] another object, 0 a value that is not one.
  bool Content(std::pair<size_t, size_t> content) {
    static const std::vector<std::string> kBlock = {"type", "id", "name", "input", "tool_use_id", "is_error", "content", "text"};
    static const std::string kToolUse = "tool_use", kToolResult = "tool_result", kText = "text", kImage = "image";
    std::vector<std::pair<size_t, size_t>> els;
    if (!l_.Elements(content.first, els)) return false;
    out_.push_back('[');
    std::vector<std::pair<size_t, size_t>> m;
    for (size_t e = 0; e < els.size(); e++) {
      if (e > 0) out_.push_back(',');
      auto el = els[e];
      if (l_.p_[el.first] != '{') {
        if (!Check(el)) return false;
        out_.push_back('0');
        continue;
      }
      if (l_.Members(el.first, kBlock, m) == BAD) return false;
      auto t = m[0];
      if (!Check(t)) return false;
      bool typed = t.first != BAD && l_.p_[t.first] == '"';
      if (typed && l_.StringIs(t.first, t.second, kToolUse)) {
        out_.append("[1,");
        if (!Value(m[1]) || !Field(m[2])) return false;
        out_.push_back(',');
        if (!Input(m[3])) return false;
      } else if (typed && l_.StringIs(t.first, t.second, kToolResult)) {
        out_.append("[2,");
        if (!Value(m[4]) || !Field(m[5])) return false;
        out_.push_back(',');
        auto err = m[5];
        bool isError = err.first != BAD && err.second - err.first == 4 && memcmp(l_.p_ + err.first, "true", 4) == 0;
        if (!(isError ? Head(m[6], ERROR_TEXT_BYTES) : Null({BAD, BAD}))) return false;
      } else if (typed && l_.StringIs(t.first, t.second, kText)) {
        out_.append("[3");
        if (userLine_) {
          out_.push_back(',');
          if (!Head(m[7], TEXT_HEAD_BYTES)) return false;
        }
      } else if (typed && l_.StringIs(t.first, t.second, kImage)) {
        out_.append("[4");
      } else {
        out_.append("[0");
      }
      out_.push_back(']');
    }
    out_.push_back(']');
    return true;
  }

  const Line& l_;
  bool strict_;
  const std::vector<std::string>& inputKeys_;
  std::string& out_;
  bool userLine_ = false;
};

const char* const kNeedles[] = {"\"assistant\"", "\"user\"", "\"tool_use\"", "\"tool_result\""};

// One line [a, b) of the chunk: appends its entry to out (or nothing). Returns whether it was non-blank.
bool HandleLine(const uint8_t* buf, size_t a, size_t b, double maxLineBytes, int64_t index, bool utf8Checked,
                const std::vector<std::string>& inputKeys, std::string& out, bool& any) {
  while (a < b && IsWs(buf[a])) a++;
  while (b > a && IsWs(buf[b - 1])) b--;
  if (a == b) return false;
  const char* reason = nullptr;
  size_t mark = out.size();
  auto open = [&]() {
    out.push_back(any ? ',' : '[');
    any = true;
    out.push_back('[');
    out.append(std::to_string(index));
  };
  const uint8_t* p = buf + a;
  size_t n = b - a;
  if (static_cast<double>(n) > maxLineBytes) {
    reason = "oversize";
  } else if (p[0] != '{' || p[n - 1] != '}') {
    reason = "not a JSON object (truncated?)";
  } else if (!utf8Checked && !ValidUtf8(p, n)) {
    reason = "not UTF-8";
  } else {
    bool lazy = n >= LAZY_MIN_BYTES;
    if (!lazy) {
      bool found = false;
      for (const char* needle : kNeedles) {
        if (memmem(p, n, needle, strlen(needle)) != nullptr) {
          found = true;
          break;
        }
      }
      if (!found) return true;
    }
    Line line(p, n);
    if (!lazy && !line.Valid(0, n)) {
      reason = "invalid JSON";
    } else {
      bool wasAny = any;
      open();
      Reducer reducer(line, !lazy, inputKeys, out);
      bool pairs = false;
      if (reducer.Run(pairs)) {
        if (pairs) {
          out.push_back(']');
        } else {
          out.resize(mark);
          any = wasAny;
        }
        return true;
      }
      out.resize(mark);
      any = wasAny;
      reason = "invalid JSON";
    }
  }
  open();
  out.append(",\"");
  out.append(reason);
  out.append("\"]");
  return true;
}

void AppendU(std::string& out, uint32_t unit) {
  static const char kHex[] = "0123456789abcdef";
  out.append("\\u");
  for (int shift = 12; shift >= 0; shift -= 4) out.push_back(kHex[(unit >> shift) & 0xf]);
}

// `s` (valid UTF-8, non-ASCII from `from` on) with every non-ASCII character written as \uXXXX, into `out`.
void EscapeNonAscii(const std::string& s, size_t from, std::string& out) {
  out.assign(s, 0, from);
  out.reserve(s.size() + s.size() / 4);
  for (size_t i = from; i < s.size();) {
    // The ASCII run up to the next non-ASCII byte, copied at once.
    size_t run = i;
    while (run < s.size() && static_cast<uint8_t>(s[run]) < 0x80) run++;
    out.append(s, i, run - i);
    i = run;
    if (i >= s.size()) break;
    uint8_t c = static_cast<uint8_t>(s[i]);
    size_t len = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
    uint32_t cp = c & (len == 2 ? 0x1f : len == 3 ? 0x0f : 0x07);
    for (size_t k = 1; k < len; k++) cp = (cp << 6) | (static_cast<uint8_t>(s[i + k]) & 0x3f);
    if (cp >= 0x10000) {
      cp -= 0x10000;
      AppendU(out, 0xd800 + (cp >> 10));
      AppendU(out, 0xdc00 + (cp & 0x3ff));
    } else {
      AppendU(out, cp);
    }
    i += len;
  }
}

napi_value Scan(napi_env env, napi_callback_info info) {
  size_t argc = 9;
  napi_value argv[9];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  if (argc < 8) {
    napi_throw_type_error(env, nullptr, "scan: 8 arguments expected");
    return nullptr;
  }
  napi_typedarray_type type;
  size_t length;
  void* data;
  napi_value ab;
  size_t byteOffset;
  if (napi_get_typedarray_info(env, argv[0], &type, &length, &data, &ab, &byteOffset) != napi_ok || type != napi_uint8_array) {
    napi_throw_type_error(env, nullptr, "scan: a Uint8Array expected");
    return nullptr;
  }
  const uint8_t* buf = static_cast<const uint8_t*>(data);
  double from, to, stopAt, maxLineBytes;
  bool final;
  napi_get_value_double(env, argv[1], &from);
  napi_get_value_double(env, argv[2], &to);
  napi_get_value_double(env, argv[3], &stopAt);
  napi_get_value_bool(env, argv[4], &final);
  napi_get_value_double(env, argv[5], &maxLineBytes);
  napi_typedarray_type metaType;
  size_t metaLength;
  void* metaData;
  if (napi_get_typedarray_info(env, argv[6], &metaType, &metaLength, &metaData, &ab, &byteOffset) != napi_ok ||
      metaType != napi_int32_array || metaLength < 3) {
    napi_throw_type_error(env, nullptr, "scan: an Int32Array(3) expected");
    return nullptr;
  }
  std::vector<std::string> inputKeys;
  uint32_t keyCount = 0;
  napi_get_array_length(env, argv[7], &keyCount);
  for (uint32_t k = 0; k < keyCount; k++) {
    napi_value v;
    napi_get_element(env, argv[7], k, &v);
    char key[256];
    size_t keyLen = 0;
    if (napi_get_value_string_utf8(env, v, key, sizeof key, &keyLen) == napi_ok) inputKeys.emplace_back(key, keyLen);
  }
  // Offsets go back as 32-bit integers (small integers to V8, unlike doubles).
  if (length > INT32_MAX) {
    napi_throw_range_error(env, nullptr, "scan: a buffer under 2 GiB expected");
    return nullptr;
  }
  if (to > static_cast<double>(length) || from < 0 || from > to) {
    napi_throw_range_error(env, nullptr, "scan: from/to outside the buffer");
    return nullptr;
  }
  double utf8To = 0;
  if (argc >= 9) napi_get_value_double(env, argv[8], &utf8To);
  size_t pos = static_cast<size_t>(from);
  size_t end = static_cast<size_t>(to);
  // Kept from call to call on this thread: a fresh multi-MiB string per call would cost the kernel a
  // zeroed page per 4 KiB of it.
  thread_local std::string out, escaped;
  out.clear();
  bool any = false;
  int64_t breaks = 0, lines = 0;
  while (static_cast<double>(pos) < stopAt && pos < end) {
    const void* nl = memchr(buf + pos, '\n', end - pos);
    size_t lineEnd;
    if (nl == nullptr) {
      if (!final) break;
      lineEnd = end;
    } else {
      lineEnd = static_cast<const uint8_t*>(nl) - buf;
    }
    if (HandleLine(buf, pos, lineEnd, maxLineBytes, breaks, static_cast<double>(lineEnd) <= utf8To, inputKeys, out, any)) lines++;
    breaks++;
    pos = nl == nullptr ? end : lineEnd + 1;
  }
  int32_t* meta = static_cast<int32_t*>(metaData);
  meta[0] = static_cast<int32_t>(pos);
  meta[1] = static_cast<int32_t>(breaks);
  meta[2] = static_cast<int32_t>(lines);
  napi_value result;
  if (!any) {
    napi_get_undefined(env, &result);
    return result;
  }
  out.push_back(']');
  // Non-ASCII characters (only ever inside strings) as \u escapes: a one-byte string parses faster.
  size_t firstHigh = 0;
  while (firstHigh < out.size() && static_cast<uint8_t>(out[firstHigh]) < 0x80) firstHigh++;
  const std::string* text = &out;
  if (firstHigh < out.size()) {
    EscapeNonAscii(out, firstHigh, escaped);
    text = &escaped;
  }
  napi_create_string_latin1(env, text->data(), text->size(), &result);
  // One call's output can be large (a long value kept verbatim): not kept past 16 MiB.
  if (out.capacity() > kKeepOutBytes) std::string().swap(out);
  if (escaped.capacity() > kKeepOutBytes) std::string().swap(escaped);
  return result;
}

napi_value Init(napi_env env, napi_value exports) {
  napi_value fn;
  napi_create_function(env, "scan", NAPI_AUTO_LENGTH, Scan, nullptr, &fn);
  napi_set_named_property(env, exports, "scan", fn);
  // Which code path this build takes ("sse2" or "portable"), for checks.
  napi_value simd;
#if defined(SB_SSE2)
  napi_create_string_utf8(env, "sse2", NAPI_AUTO_LENGTH, &simd);
#else
  napi_create_string_utf8(env, "portable", NAPI_AUTO_LENGTH, &simd);
#endif
  napi_set_named_property(env, exports, "simd", simd);
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
