import ChuandaoStats
import Testing

@testable import Chuandao

/// `assess` above the exact-rank budget (docs/assess-scale.md): on a generated dataset, a
/// budget of 0 bytes and 4,096 bins estimate the rank bands of the ~9,000 branches (the
/// ~600 units and 20 bureaus take fewer bytes a draw than the histograms, and stay exact);
/// they must stay within the bound the note reports, within 0.5% of the level's size, of the
/// exact bands of the same draws.
@Suite("Assessment feed above the exact-rank budget")
struct AssessEstimateTests {
  @Test("estimated rank bands are within their bound of the exact ones, and a note says so")
  func estimatedWithinBound() throws {
    let (d, _) = DatasetGenerator(.preset(.city, seed: 5)).makeDataset()
    let t = d.periods.count - 1
    var s = Settings.Assess()
    s.draws = 40
    let flags = PeriodFlags.compute(d, levels: Array(1..<d.forest.levelCount))
    let exact = AssessAnalysis(settings: s).run(d, period: t, flags: flags)
    var small = AssessAnalysis(settings: s, exactRankBudget: 0)
    small.histogramBins = 4096
    let estimated = small.run(d, period: t, flags: flags)
    #expect(exact.notes == flags.notes)
    #expect(estimated.notes.count == flags.notes.count + 1)
    let f = d.forest
    for k in 0..<f.levelCount {
      let pairs = zip(exact.nodes, estimated.nodes).filter {
        f.level[$0.0.node] == k && $0.0.rank != nil
      }
      let size = pairs.count
      let levelNote = estimated.notes.first { $0.en.hasPrefix("level \(f.levelNames[k]):") }
      guard k == f.levelCount - 1 else {
        #expect(levelNote == nil)
        for (a, b) in pairs {
          #expect(a.rankMedian == b.rankMedian && a.rankP05 == b.rankP05 && a.rankP95 == b.rankP95)
          #expect(a.gradeStability == b.gradeStability)
        }
        continue
      }
      // The bound, from the note: "at most N ranks (x% of the level)".
      let note = try #require(levelNote)
      let words = note.en.split(separator: " ")
      let at = try #require(words.firstIndex(of: "most"))
      let bound = try #require(Double(words[at + 1]))
      #expect(size > 8000 && bound <= 0.005 * Double(size), "bound \(bound) of \(size)")
      #expect(note.zh.contains("\(f.levelNames[k]) 层") && note.zh.contains("至多 \(Int(bound)) 名"))
      for (a, b) in pairs {
        #expect(a.rank == b.rank && a.grade == b.grade)
        for (x, y) in [(a.rankMedian, b.rankMedian), (a.rankP05, b.rankP05), (a.rankP95, b.rankP95)] {
          #expect(abs(try #require(x) - (try #require(y))) <= bound)
        }
      }
    }
  }
}
