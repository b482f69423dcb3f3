// The floating-point steps pm4py, pandas, numpy and Python's `statistics` module take, replayed
// operation by operation.
//
// The reference figures are compared with a relative tolerance of 1e-9, and most of them would
// pass with any reasonable summation. Some would not: pm4py subtracts two epoch-second Doubles
// for a case's sojourn time (a 1.855 s case becomes 1.8549997806549072 s), and ties in the
// top-5 rankings are broken on exact equality of means. Replaying the same operations in the
// same order gives the same bits, so both kinds of figure match.

import DocketCore

/// Numerical building blocks that reproduce the reference implementation's rounding.
package enum ReferenceArithmetic {
    /// A duration in seconds exactly as pandas' `pm4py.util.pandas_utils.get_total_seconds`
    /// computes it from a `Timedelta`: `86400 * days + seconds + 1e-6 * microseconds`, where
    /// `days` is floored and `seconds` and `microseconds` are the non-negative remainders.
    @inlinable
    package static func totalSeconds(microseconds delta: Int64) -> Double {
        let dayMicros: Int64 = 86_400_000_000
        var days = delta / dayMicros
        var remainder = delta % dayMicros
        if remainder < 0 {
            days -= 1
            remainder += dayMicros
        }
        let wholeSeconds = 86_400 * days + remainder / 1_000_000
        let micros = remainder % 1_000_000
        return Double(wholeSeconds) + 1e-6 * Double(micros)
    }

    /// An instant as `pandas.Timestamp.timestamp()` returns it: the Double nearest to the
    /// number of seconds since the epoch.
    @inlinable
    package static func epochSeconds(_ t: Timestamp) -> Double {
        Double(t.microseconds) / 1_000_000
    }

    /// The correctly rounded sum of `values`, as Python's `math.fsum` computes it
    /// (Shewchuk's algorithm with CPython's final half-way correction).
    package static func fsum(_ values: some Sequence<Double>) -> Double {
        var partials: [Double] = []
        partials.reserveCapacity(8)
        for value in values {
            var x = value
            var i = 0
            for j in 0..<partials.count {
                var y = partials[j]
                if abs(x) < abs(y) { swap(&x, &y) }
                let hi = x + y
                let lo = y - (hi - x)
                if lo != 0 {
                    partials[i] = lo
                    i += 1
                }
                x = hi
            }
            partials.removeSubrange(i...)
            partials.append(x)
        }
        var n = partials.count
        guard n > 0 else { return 0 }
        n -= 1
        var hi = partials[n]
        var lo = 0.0
        while n > 0 {
            let x = hi
            n -= 1
            let y = partials[n]
            hi = x + y
            let yr = hi - x
            lo = y - yr
            if lo != 0 { break }
        }
        if n > 0 && ((lo < 0 && partials[n - 1] < 0) || (lo > 0 && partials[n - 1] > 0)) {
            let y = lo * 2
            let x = hi + y
            let yr = x - hi
            if y == yr { hi = x }
        }
        return hi
    }

    /// The sum numpy's `add.reduce` returns for a contiguous float64 array: pairwise summation
    /// with eight accumulators in blocks of at most 128 values.
    package static func numpySum(_ values: [Double]) -> Double {
        values.withUnsafeBufferPointer { pairwiseSum($0) }
    }

    static func pairwiseSum(_ a: UnsafeBufferPointer<Double>) -> Double {
        let n = a.count
        if n < 8 {
            var result = 0.0
            for x in a { result += x }
            return result
        } else if n <= 128 {
            var r0 = a[0], r1 = a[1], r2 = a[2], r3 = a[3]
            var r4 = a[4], r5 = a[5], r6 = a[6], r7 = a[7]
            var i = 8
            let end = n - n % 8
            while i < end {
                r0 += a[i]; r1 += a[i + 1]; r2 += a[i + 2]; r3 += a[i + 3]
                r4 += a[i + 4]; r5 += a[i + 5]; r6 += a[i + 6]; r7 += a[i + 7]
                i += 8
            }
            var result = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
            while i < n {
                result += a[i]
                i += 1
            }
            return result
        } else {
            var half = n / 2
            half -= half % 8
            return pairwiseSum(UnsafeBufferPointer(rebasing: a[0..<half]))
                + pairwiseSum(UnsafeBufferPointer(rebasing: a[half..<n]))
        }
    }

    /// The percentile `q` (0...1) of ascending `sorted` values by linear interpolation between
    /// closest ranks (numpy's default), computed as the reference script does.
    package static func percentile(sorted: [Double], _ q: Double) -> Double? {
        guard !sorted.isEmpty else { return nil }
        let k = Double(sorted.count - 1) * q
        let f = Int(k)
        let c = min(f + 1, sorted.count - 1)
        return sorted[f] + (sorted[c] - sorted[f]) * (k - Double(f))
    }

    /// The median of `values` in any order (reordered in place): the middle one, or the mean of
    /// the two middle ones, found by selection rather than a full sort.
    package static func median(selectingIn values: inout [Double]) -> Double? {
        let n = values.count
        guard n > 0 else { return nil }
        return values.withUnsafeMutableBufferPointer { v -> Double in
            let upper = select(v, n / 2)
            if n % 2 == 1 { return upper }
            // After selection everything before n/2 is ≤ the upper middle: the lower middle is their maximum.
            var lower = v[0]
            for i in 1..<(n / 2) where v[i] > lower { lower = v[i] }
            return (lower + upper) / 2
        }
    }

    /// The `k`-th smallest element (0-based), partially ordering `v` around it (Hoare's selection,
    /// falling back to sorting the remaining range if partitions keep coming out lopsided).
    static func select(_ v: UnsafeMutableBufferPointer<Double>, _ k: Int) -> Double {
        var lo = 0, hi = v.count - 1
        var budget = 2 * (Int.bitWidth - v.count.leadingZeroBitCount) + 8
        while lo < hi {
            if budget == 0 {
                var rest = UnsafeMutableBufferPointer(rebasing: v[lo...hi])
                rest.sort()
                return v[k]
            }
            budget -= 1
            // Median of three as pivot.
            let mid = lo + (hi - lo) / 2
            if v[mid] < v[lo] { v.swapAt(mid, lo) }
            if v[hi] < v[lo] { v.swapAt(hi, lo) }
            if v[hi] < v[mid] { v.swapAt(hi, mid) }
            let pivot = v[mid]
            var i = lo, j = hi
            while i <= j {
                while v[i] < pivot { i += 1 }
                while v[j] > pivot { j -= 1 }
                if i <= j {
                    v.swapAt(i, j)
                    i += 1
                    j -= 1
                }
            }
            if k <= j { hi = j } else if k >= i { lo = i } else { return v[k] }
        }
        return v[k]
    }

    /// The median of ascending `sorted` values: the middle one, or the mean of the two middle ones.
    package static func median(sorted: [Double]) -> Double? {
        let n = sorted.count
        guard n > 0 else { return nil }
        if n % 2 == 1 { return sorted[n / 2] }
        return (sorted[n / 2 - 1] + sorted[n / 2]) / 2
    }
}

/// A running sum with the Kahan compensation pandas' grouped `sum` and `mean` use.
package struct KahanSum: Sendable {
    /// The compensated sum so far.
    package private(set) var sum = 0.0
    private var compensation = 0.0
    /// How many values were added.
    package private(set) var count = 0

    /// An empty accumulator.
    package init() {}

    /// Adds `value`, in the order pandas would visit it.
    package mutating func add(_ value: Double) {
        count += 1
        let y = value - compensation
        let t = sum + y
        compensation = t - sum - y
        if compensation != compensation { compensation = 0 }
        sum = t
    }

    /// The mean as pandas' grouped `mean` returns it (`nil` when nothing was added).
    package var mean: Double? { count == 0 ? nil : sum / Double(count) }
}

/// The running variance pandas' grouped `std` computes (Welford's method, sample variance).
package struct WelfordVariance: Sendable {
    private var count = 0
    private var mean = 0.0
    private var m2 = 0.0

    package init() {}

    /// Adds `value`.
    package mutating func add(_ value: Double) {
        count += 1
        let oldMean = mean
        mean += (value - oldMean) / Double(count)
        m2 += (value - mean) * (value - oldMean)
    }

    /// The sample standard deviation (n − 1), or `nil` for fewer than two values.
    package var sampleStandardDeviation: Double? {
        count < 2 ? nil : (m2 / Double(count - 1)).squareRoot()
    }
}
