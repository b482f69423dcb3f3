/// Percentiles as numpy computes them by default (`numpy.percentile(a, q)`, method `linear`):
/// on the sorted values x₀ ≤ … ≤ xₙ₋₁, the q-quantile sits at rank h = (n − 1)·q and is
/// x⌊h⌋ + (h − ⌊h⌋)·(x⌊h⌋₊₁ − x⌊h⌋), linear interpolation between the two closest ranks.
///
/// The arithmetic follows numpy's `_lerp` step by step (for a fraction t ≥ 0.5 it interpolates
/// back from the upper value, b − (b − a)(1 − t)), so results agree to the last bit.
public enum Percentile {
    /// The `q`-quantile (0 ≤ q ≤ 1) of `sorted`, which must be in ascending order; `nil` when
    /// `sorted` is empty. `q` outside 0...1 is clamped.
    public static func linear(sorted: [Double], _ q: Double) -> Double? {
        guard let first = sorted.first else { return nil }
        guard sorted.count > 1 else { return first }
        let q = min(1, max(0, q))
        let h = Double(sorted.count - 1) * q
        let lower = Int(h.rounded(.down))
        guard lower + 1 < sorted.count else { return sorted[sorted.count - 1] }
        let t = h - Double(lower)
        let a = sorted[lower], b = sorted[lower + 1]
        let difference = b - a
        return t >= 0.5 ? b - difference * (1 - t) : a + difference * t
    }
}

/// Count, total, mean, spread and percentiles of a set of durations, in seconds.
///
/// Built from exact integer microseconds: the total and the mean are computed on integers and only
/// then converted, so that `mean` is the exact mean rounded once. Percentiles are
/// ``Percentile/linear(sorted:_:)`` (numpy's default), `stdev` is the sample standard deviation
/// (divisor n − 1, numpy's `std(ddof=1)`, pandas' `std()`). Every figure but `count` and `total` is
/// `nil` when there is nothing to summarise (`stdev` also for a single value).
public struct DurationSummary: Hashable, Sendable, Codable {
    /// How many durations.
    public var count: Int
    /// Their sum, in seconds (0 when empty).
    public var total: Double
    /// The mean, in seconds.
    public var mean: Double?
    /// The shortest, in seconds.
    public var min: Double?
    /// The median: the 0.5-quantile.
    public var p50: Double?
    /// The 0.9-quantile, in seconds.
    public var p90: Double?
    /// The 0.95-quantile, in seconds.
    public var p95: Double?
    /// The longest, in seconds.
    public var max: Double?
    /// The sample standard deviation (n − 1 in the divisor); `nil` for fewer than two values.
    public var stdev: Double?

    /// Summarises `microseconds` (in any order).
    public init(microseconds: [Int64]) {
        count = microseconds.count
        var sum = MicrosecondSum()
        for value in microseconds { sum.add(value) }
        let totalMicroseconds = sum.microseconds
        total = totalMicroseconds / 1_000_000
        guard count > 0 else { return }
        let sorted = MicrosecondSort.sorted(microseconds).map { Double($0) / 1_000_000 }
        let mean = totalMicroseconds / Double(count) / 1_000_000
        self.mean = mean
        min = sorted.first
        max = sorted.last
        p50 = Percentile.linear(sorted: sorted, 0.5)
        p90 = Percentile.linear(sorted: sorted, 0.9)
        p95 = Percentile.linear(sorted: sorted, 0.95)
        if count > 1 {
            var squares = 0.0
            for x in sorted { squares += (x - mean) * (x - mean) }
            stdev = (squares / Double(count - 1)).squareRoot()
        }
    }

    /// The summary of nothing.
    public static let empty = DurationSummary(microseconds: [])
}

/// A sum of microseconds that is exact while it fits in 64 bits (292,000 years) and carries on in
/// floating point beyond, rather than trapping: a report must never crash on a large log.
public struct MicrosecondSum: Hashable, Sendable {
    private var exact: Int64 = 0
    private var inexact: Double?

    /// Creates the value from its parts.
    public init() {}

    /// Adds `value` microseconds.
    public mutating func add(_ value: Int64) {
        if let inexact {
            self.inexact = inexact + Double(value)
            return
        }
        let (sum, overflow) = exact.addingReportingOverflow(value)
        if overflow { inexact = Double(exact) + Double(value) } else { exact = sum }
    }

    /// Adds another sum: exact, so sums of sums do not depend on the order they are added in.
    public mutating func add(_ other: MicrosecondSum) {
        if inexact == nil, other.inexact == nil {
            add(other.exact)
        } else {
            inexact = microseconds + other.microseconds
        }
    }

    /// The sum, in microseconds.
    public var microseconds: Double { inexact ?? Double(exact) }

    /// The exact sum, or the floating-point one it carried on in (a report's digest keeps either).
    package var parts: (exact: Int64, inexact: Double?) { (exact, inexact) }

    /// The sum whose ``parts`` are these.
    package init(exact: Int64, inexact: Double?) {
        self.exact = exact
        self.inexact = inexact
    }

    /// The sum, in seconds.
    public var seconds: Double { microseconds / 1_000_000 }
}
