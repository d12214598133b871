import Foundation
import Testing

@testable import ChuandaoReport

@Suite("Funnel density: a cap on the marks of huge levels")
struct DensityCapTests {
  @Test("beyond maxMarks the most extreme flags are drawn, the rest join the density")
  func cap() {
    // The 3000-node sample flags every 97th node (31 nodes) and the normal spread's tails.
    var plot = Samples.funnelDensity()
    let flagged = plot.flags.indices.filter { plot.flags[$0] != .normal }
    #expect(flagged.count > 10)
    // A node's mark is titled with its name ("branch-123 (cold): ..."); density cells are not.
    func marks(_ svg: String) -> Int { svg.components(separatedBy: "<title>branch-").count - 1 }
    #expect(marks(plot.svg()) == flagged.count, "every flagged node a mark under the default cap")
    plot.density = .init(columns: 48, rows: 30, maxMarks: 10)
    let capped = plot.svg()
    #expect(marks(capped) == 10, "\(marks(capped)) marks")
    // The most extreme by |O/E - 1| sqrt(E) is among them, named in its <title>.
    let extreme = flagged.max { abs(plot.ratio[$0] - 1) * plot.expected[$0].squareRoot() < abs(plot.ratio[$1] - 1) * plot.expected[$1].squareRoot() }!
    #expect(capped.contains("<title>\(plot.names[extreme]) ("))
  }
}
