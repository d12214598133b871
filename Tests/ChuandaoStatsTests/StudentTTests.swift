import ChuandaoStats
import Foundation
import Testing

@Suite("Student's t")
struct StudentTTests {
  @Test("cdf matches scipy", arguments: DistributionFixtures.shared.studentT)
  func cdf(set: DistributionFixtures.StudentTSet) {
    let t = StudentT(df: set.df)
    expectRows(set.cdf, "cdf") { t.cdf($0) }
    expectRows(set.cdf, "sf(-t)") { t.sf(-$0) }
  }

  @Test("quantile matches scipy", arguments: DistributionFixtures.shared.studentT)
  func quantile(set: DistributionFixtures.StudentTSet) {
    let t = StudentT(df: set.df)
    expectRows(set.ppf, "quantile") { t.quantile($0) }
  }

  @Test func infiniteDegreesOfFreedomIsNormal() {
    let t = StudentT(df: .infinity)
    let normal = Normal()
    for x in [-5.0, -1, 0.3, 2] { #expect(t.cdf(x) == normal.cdf(x)) }
    for p in [1e-10, 0.025, 0.5, 0.975] { #expect(t.quantile(p) == normal.quantile(p)) }
  }

  @Test func hugeDegreesOfFreedomApproachTheNormal() {
    // |F_t - Φ| ~ φ(x)(x^3 + x)/(4ν): below 1e-14 for ν = 1e14.
    let t = StudentT(df: 1e14)
    for x in [-3.0, -1, 0.5, 2] { #expect(abs(t.cdf(x) - Normal().cdf(x)) < 1e-13) }
    #expect(abs(t.quantile(0.975) - Normal().quantile(0.975)) < 1e-12)
  }

  @Test func edgeCases() {
    let t = StudentT(df: 4.5)
    #expect(t.quantile(0) == -.infinity && t.quantile(1) == .infinity)
    #expect(t.quantile(0.5) == 0)
    #expect(t.quantile(-1).isNaN && t.quantile(.nan).isNaN)
    #expect(t.cdf(-.infinity) == 0 && t.cdf(.infinity) == 1 && t.cdf(0) == 0.5)
    #expect(t.cdf(.nan).isNaN)
    // df = 0.3: the 1e-300 quantile is beyond the largest double (about -1e1000).
    #expect(StudentT(df: 0.3).quantile(1e-300) == -.infinity)
    #expect(StudentT(df: 0.3).isf(1e-300) == .infinity)
  }

  @Test func textbookValues() {
    // Closed forms and tables (Abramowitz & Stegun table 26.10): t(0.975; 1) = tan(0.475π)
    // = 12.706204736174707; t(0.975; 2) = (1 - 2q)/sqrt(2q(1 - q)), q = 0.025,
    // = 0.95/sqrt(0.04875) = 4.302652729749464; t(0.975; 10) = 2.228138851986274.
    #expect(relativeError(StudentT(df: 1).quantile(0.975), 12.706204736174707) < 1e-13)
    #expect(relativeError(StudentT(df: 2).quantile(0.975), 4.302652729749464) < 1e-13)
    #expect(relativeError(StudentT(df: 10).quantile(0.975), 2.228138851986274) < 1e-13)
  }

  @Test(arguments: [0.3, 0.75, 1.5, 7.0, 250.0])
  func quantileInvertsCdf(df: Double) {
    let t = StudentT(df: df)
    // (1e-40: for df = 0.3 the 1e-100 quantile, about -1e333, is beyond the doubles.)
    for p in [1e-40, 1e-9, 0.01, 0.3, 0.49, 0.51, 0.9, 0.999] {
      #expect(relativeError(t.cdf(t.quantile(p)), p) < 1e-12, "df \(df), p \(p)")
    }
  }

  @Test func densityIntegratesToTheCdf() {
    // Simpson's rule on [-1, 2] against cdf(2) - cdf(-1), df = 4.5.
    let t = StudentT(df: 4.5)
    let n = 2000
    let h = 3.0 / Double(n)
    var sum = t.pdf(-1) + t.pdf(2)
    for i in 1..<n { sum += (i % 2 == 1 ? 4 : 2) * t.pdf(-1 + Double(i) * h) }
    #expect(abs(sum * h / 3 - (t.cdf(2) - t.cdf(-1))) < 1e-12)
  }
}
