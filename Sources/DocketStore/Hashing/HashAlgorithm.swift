import Crypto

/// The digest a log chains its events with: the one seam for the hash algorithm, so that
/// another 256-bit digest (China's SM3, which government systems are evaluated against) can be
/// added as a case without another event format. A log records its algorithm once, when it is
/// created (`log_settings.hash_algorithm`); every row of it is hashed with that algorithm.
public enum HashAlgorithm: String, Hashable, Sendable, Codable, CaseIterable {
    /// SHA-256 (FIPS 180-4): what every Docket log so far uses.
    case sha256

    /// The digest of `bytes` as 64 lowercase hexadecimal digits.
    func hexDigest(_ bytes: UnsafeRawBufferPointer) -> String {
        switch self {
        case .sha256: ContentHash.hex(SHA256.hash(data: bytes))
        }
    }

    /// Whether the digest of `bytes` is `hex` (64 lowercase hexadecimal digits), compared
    /// without writing the digest out as text: reading checks every row this way.
    func digest(of bytes: UnsafeRawBufferPointer, isHex hex: String) -> Bool {
        switch self {
        case .sha256: ContentHash.digest(SHA256.hash(data: bytes), isHex: hex)
        }
    }
}
