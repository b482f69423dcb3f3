import Crypto
import Foundation

/// SHA-256 digests as Docket stores them: 64 lowercase hexadecimal digits.
package enum ContentHash {
    /// The hash that precedes the first event of the log.
    package static let genesis = String(repeating: "0", count: 64)

    /// SHA-256 of `text`'s UTF-8 bytes.
    package static func sha256Hex(_ text: String) -> String {
        var text = text
        return text.withUTF8 { hex(SHA256.hash(data: UnsafeRawBufferPointer($0))) }
    }

    /// SHA-256 of `data`.
    static func sha256Hex(_ data: Data) -> String {
        hex(SHA256.hash(data: data))
    }

    /// Whether `digest` written as ``hex(_:)`` writes it would be `hex`.
    static func digest(_ digest: SHA256.Digest, isHex hex: String) -> Bool {
        var hex = hex
        return hex.withUTF8 { self.digest(digest, isHex: $0) }
    }

    /// ``digest(_:isHex:)`` with the hex digits as UTF-8 bytes (a column still in SQLite's buffer).
    static func digest(_ digest: SHA256.Digest, isHex text: UnsafeBufferPointer<UInt8>) -> Bool {
        // The digest's bytes read in place: iterating a Digest makes an array of them each time.
        digest.withUnsafeBytes { bytes in
            guard text.count == 64, bytes.count == 32 else { return false }
            var i = 0
            for byte in bytes {
                let high = byte >> 4, low = byte & 0x0f
                guard text[i] == (high < 10 ? UInt8(ascii: "0") + high : UInt8(ascii: "a") - 10 + high),
                      text[i + 1] == (low < 10 ? UInt8(ascii: "0") + low : UInt8(ascii: "a") - 10 + low) else { return false }
                i += 2
            }
            return true
        }
    }

    static func hex(_ digest: SHA256.Digest) -> String {
        // Digit arithmetic rather than a lookup table: this runs for every event appended.
        @inline(__always) func digit(_ nibble: UInt8) -> UInt8 {
            nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") - 10 + nibble
        }
        return String(unsafeUninitializedCapacity: 64) { buffer in
            var i = 0
            for byte in digest {
                buffer[i] = digit(byte >> 4)
                buffer[i + 1] = digit(byte & 0x0f)
                i += 2
            }
            return i
        }
    }
}

/// JSON with sorted keys and unescaped slashes: the same value always gives the same bytes, so
/// payloads hash reproducibly and command fingerprints compare equal.
enum CanonicalJSON {
    /// A new encoder producing canonical JSON (encoders are not shared between threads).
    static func makeEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    static func encode(_ value: some Encodable) throws -> Data {
        try makeEncoder().encode(value)
    }

    static func string(_ value: some Encodable) throws -> String {
        String(decoding: try encode(value), as: UTF8.self)
    }
}
