import ChuandaoStats
import Foundation
import Testing

@testable import Chuandao

@Suite("Attenuation (METHODS.md section 2)")
struct AttenuationTests {
  /// B1 90 -> U1 81, U2 72; U1 -> Z1 72.9, Z2 64.8; U2 -> Z3 57.6. Ratios 0.9, 0.8 | 0.9,
  /// 0.8, 0.8. Worked out (a calculator, and scipy for t(0.975, 1) = 12.706204736174694):
  /// - step 1: one parent, h_B1 = (ln 0.9 + ln 0.8)/2 = -0.164252033486018, tau =
  ///   sqrt(0.72) = 0.848528137423857, no interval (m = 1).
  /// - step 2: h_U1 = -0.164252033486018, h_U2 = ln 0.8 = -0.2231435513142097; gbar =
  ///   -0.19369779240011387, tau = 0.8239068575628471; s_h = |h1 - h2|/sqrt(2) =
  ///   0.041642591610682816; half-width 12.7062 x s_h / sqrt(2); interval
  ///   [0.5667473679170073, 1.1977514998155057].
  /// - R = 0.6991081512585458, per-step attenuation 1 - sqrt(R) = 0.1638731249035552.
  /// - z, step 1: +-0.7071067811865475 (node sd over the two log-ratios); step 2, node sd
  ///   0.06800206734218427: Z1 1.299038105676658, Z2 and Z3 -0.4330127018922191.
  static let files: [String: String] = [
    "dataset.yaml": "periods: [\"2025\"]\n",
    "org.csv": """
      id,parent,level,name,members
      B1,,bureau,局,10
      U1,B1,unit,单位一,10
      U2,B1,unit,单位二,10
      Z1,U1,branch,支部一,10
      Z2,U1,branch,支部二,10
      Z3,U2,branch,支部三,10

      """,
    "scores.csv": """
      period,node,subject,score
      2025,B1,committee,90
      2025,U1,committee,81
      2025,U2,committee,72
      2025,Z1,committee,72.9
      2025,Z2,committee,64.8
      2025,Z3,committee,57.6

      """,
  ]

  @Test("a small forest worked by hand")
  func handWorked() throws {
    let ds = try TempDataset(Self.files, base: nil)
    defer { ds.cleanUp() }
    let d = try Dataset.load(folder: ds.folder)
    let r = AttenuationAnalysis(metric: .score, flagZ: 1.2).run(d, period: 0)
    func close(_ a: Double?, _ b: Double, _ tol: Double = 1e-12) -> Bool { a.map { abs($0 - b) <= tol * max(1, abs(b)) } ?? false }
    #expect(r.steps.count == 2)
    #expect(close(r.steps[0].tau, 0.848528137423857))
    #expect(r.steps[0].ciLow == nil && r.steps[0].ciHigh == nil)
    #expect(r.steps[0].parents == 1 && r.steps[0].children == 2)
    #expect(close(r.steps[1].tau, 0.8239068575628471))
    #expect(close(r.steps[1].ciLow, 0.5667473679170073, 1e-10))
    #expect(close(r.steps[1].ciHigh, 1.1977514998155057, 1e-10))
    #expect(r.steps[1].parents == 2 && r.steps[1].children == 3)
    #expect(close(r.endRetention, 0.6991081512585458))
    #expect(close(r.perStepAttenuation, 0.1638731249035552))
    let z = Dictionary(uniqueKeysWithValues: r.nodes.map { (d.forest.ids[$0.node], $0.z ?? .nan) })
    #expect(close(z["U1"], 0.7071067811865475, 1e-10) && close(z["U2"], -0.7071067811865475, 1e-10))
    #expect(close(z["Z1"], 1.299038105676658, 1e-10))
    #expect(close(z["Z2"], -0.4330127018922191, 1e-10) && close(z["Z3"], -0.4330127018922191, 1e-10))
    // flag_z 1.2: Z1 is amplified, nothing is attenuated.
    let flags = r.nodes.compactMap { row in row.flag.map { (d.forest.ids[row.node], $0) } }
    #expect(flags.count == 1 && flags[0].0 == "Z1" && flags[0].1 == .amplified)
    // The single group equals the whole.
    #expect(close(r.groups[0].endRetention, 0.6991081512585458))
  }

  @Test("zero or missing metrics leave nodes without a ratio, named, never dropped silently")
  func excluded() throws {
    var files = Self.files
    files["scores.csv"] = files["scores.csv"]!.replacingOccurrences(of: "2025,Z2,committee,64.8\n", with: "2025,Z2,committee,0\n")
      .replacingOccurrences(of: "2025,U2,committee,72\n", with: "")
    let ds = try TempDataset(files, base: nil)
    defer { ds.cleanUp() }
    let d = try Dataset.load(folder: ds.folder)
    let r = AttenuationAnalysis().run(d, period: 0)
    // U2 has no score (so U2 and its child Z3 have no ratio), Z2 scores 0.
    #expect(Set(r.excluded.map { d.forest.ids[$0] }) == ["U2", "Z2", "Z3"])
    #expect(r.nodes.count == 5)
    #expect(r.nodes.filter { $0.ratio == nil }.count == 3)
    // Step 2 has one parent (U1) with one child ratio (Z1): tau = 0.9, no interval.
    #expect(abs(r.steps[1].tau! - 0.9) < 1e-12)
    #expect(r.steps[1].ciLow == nil)
  }

  @Test("the planted per-bureau attenuation is recovered within truth.json's tolerance")
  func plantedTruth() throws {
    let (d, truth) = DatasetGenerator(.preset(.city, seed: 404)).makeDataset()
    let t = d.periods.count - 1
    for (metric, key) in [(Metric.score, "score"), (.intensity, "intensity")] {
      let r = AttenuationAnalysis(metric: metric).run(d, period: t)
      for g in truth["attenuation"]![key]!["groups"]!.arrayValue! {
        let group = try #require(r.groups.first { d.forest.ids[$0.node] == g["id"]!.stringValue! })
        for (k, step) in g["steps"]!.arrayValue!.enumerated() {
          let estimate = try #require(group.steps[k].tau)
          let tau = step["tau"]!.doubleValue!
          #expect(abs(estimate - tau) <= step["tolerance"]!.doubleValue!,
                  "\(key) \(g["id"]!) step \(k + 1): \(estimate) vs planted \(tau)")
        }
      }
      // The planted worst bureau has the lowest end retention for scores.
      if metric == .score {
        let worst = truth["attenuation"]!["worst_group"]!.stringValue!
        let lowest = r.groups.min { $0.endRetention! < $1.endRetention! }!
        #expect(d.forest.ids[lowest.node] == worst)
      }
    }
  }

  @Test("null city datasets: each step's 95% interval covers 1 in at least 17 of 20, and is not too wide")
  func nullCoverage() {
    // One period is enough: with --null every period is an independent draw of the same
    // model, and the interval is computed per period.
    var covered = [0, 0]
    var logTau: [[Double]] = [[], []]
    var halfWidth: [[Double]] = [[], []]
    for seed in 1...20 {
      var spec = GeneratorSpec.preset(.city, seed: UInt64(seed), null: true)
      spec.periods = 1
      let (d, _) = DatasetGenerator(spec).makeDataset()
      let r = AttenuationAnalysis(metric: .score).run(d, period: 0)
      for k in 0..<2 {
        if r.steps[k].ciLow! <= 1 && 1 <= r.steps[k].ciHigh! { covered[k] += 1 }
        logTau[k].append(log(r.steps[k].tau!))
        halfWidth[k].append(log(r.steps[k].ciHigh!) - log(r.steps[k].tau!))
      }
    }
    #expect(covered[0] >= 17 && covered[1] >= 17, "covered \(covered) of 20")
    // Coverage alone cannot fail when intervals are too wide (20 of 20 is likely for a 95%
    // interval too). A 95% half-width on the log scale is t(0.975, m - 1) times the standard
    // error of ln tau, about 1.96 to 2.09 times the spread of ln tau between independent
    // datasets (m = 20 parents for bureau -> unit, 600 for unit -> branch). So the mean
    // half-width over the sample sd of ln tau across the 20 datasets should be about 2.03.
    // From 20 values that sd varies as sqrt(chi2(19)/19): the ratio leaves [1.3, 3.0] with
    // probability about 0.022 (scipy: chi2.cdf(19 (2.03/3)^2, 19) + chi2.sf(19 (2.03/1.3)^2,
    // 19)), while an interval half or twice as wide as it should be lands outside.
    for k in 0..<2 {
      #expect(logTau[k].count == 20 && halfWidth[k].count == 20)
      let mean = logTau[k].reduce(0, +) / 20
      let sd = (logTau[k].map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 19).squareRoot()
      let ratio = (halfWidth[k].reduce(0, +) / 20) / sd
      #expect(ratio > 1.3 && ratio < 3.0, "step \(k + 1): mean half-width / sd of ln tau = \(ratio)")
    }
  }

  @Test("variance components equal lme4's Pastes fit when the data are a forest")
  func pastes() throws {
    // lme4's Pastes (strength by batch and cask within batch) written as a dataset: batch
    // = bureau, cask = unit, each sample a branch scored by its strength.
    let url = Fixtures.repository.appendingPathComponent("Tests/ChuandaoStatsTests/Fixtures/lme4_pastes.json")
    let fixture = try JSON.parse(contentsOfFile: url.path)
    let strength = try #require(fixture["y"]?.arrayValue?.compactMap { $0.doubleValue })
    let groups = try #require(fixture["groups"]?.arrayValue)
    let batch = try #require(groups[0].arrayValue?.compactMap { $0.intValue })
    let cask = try #require(groups[1].arrayValue?.compactMap { $0.intValue })
    var org = "id,parent,level,name,members\n"
    var scores = "period,node,subject,score\n"
    var seen = Set<String>()
    for i in strength.indices {
      let b = "B\(batch[i])"
      let u = "U\(cask[i])"
      if seen.insert(b).inserted {
        org += "\(b),,bureau,\(b),10\n"
        scores += "2025,\(b),committee,60\n"
      }
      if seen.insert(u).inserted {
        org += "\(u),\(b),unit,\(u),10\n"
        scores += "2025,\(u),committee,60\n"
      }
      org += "Z\(i),\(u),branch,s\(i),10\n"
      scores += "2025,Z\(i),committee,\(strength[i])\n"
    }
    let ds = try TempDataset(["dataset.yaml": "periods: [\"2025\"]\n", "org.csv": org, "scores.csv": scores], base: nil)
    defer { ds.cleanUp() }
    let d = try Dataset.load(folder: ds.folder)
    let fit = try #require(AttenuationAnalysis().run(d, period: 0).variance.fit)
    // lme4: SDs batch 1.28737, cask:batch 2.90408, residual 0.82341; REML logLik -123.4954.
    #expect(abs(fit.standardDeviations[0] / 1.28737 - 1) < 1e-3)
    #expect(abs(fit.standardDeviations[1] / 2.90408 - 1) < 1e-3)
    #expect(abs(fit.residualVariance.squareRoot() / 0.82341 - 1) < 1e-3)
    #expect(abs(fit.remlLogLikelihood - -123.4954) < 1e-4)
  }
}
