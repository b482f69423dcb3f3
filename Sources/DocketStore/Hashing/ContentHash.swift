import Crypto
import Foundation

/// SHA-256 digests as Docket stores them: 64 lowercase hexadecimal digits.
enum ContentHash {
    /// The hash that precedes the first event of the log.
    static let genesis = String(repeating: "0", count: 64)

    /// SHA-256 of `text`'s UTF-8 bytes.
    static func sha256Hex(_ text: String) -> String {
        var text = text
        return text.withUTF8 { hex(SHA256.hash(data: UnsafeRawBufferPointer($0))) }
    }

    /// SHA-256 of `data`.
    static func sha256Hex(_ data: Data) -> String {
        hex(SHA256.hash(data: data))
    }

    static func hex(_ digest: SHA256.Digest) -> String {
        let digits: [UInt8] = Array("0123456789abcdef".utf8)
        return String(unsafeUninitializedCapacity: 64) { buffer in
            var i = 0
            for byte in digest {
                buffer[i] = digits[Int(byte >> 4)]
                buffer[i + 1] = digits[Int(byte & 0x0f)]
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
