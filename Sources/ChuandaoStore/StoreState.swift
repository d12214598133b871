import Chuandao
import Foundation
import _ChuandaoOutput

/// The levels, subjects, domains, kinds and weights: what every delivery of one store must
/// agree on (docs/store.md).
struct Frame: Equatable, Codable {
  var levels: [String]
  var subjects: [String]
  var domains: [String]
  var kinds: [String]
  var subjectWeights: [Double]
  var kindWeights: [Double]

  init(_ m: Manifest) {
    levels = m.levels
    subjects = m.subjects
    domains = m.domains
    kinds = m.kinds
    subjectWeights = m.subjectWeights
    kindWeights = m.kindWeights
  }

  var json: String { String(decoding: try! JSONEncoder().encode(self), as: UTF8.self) }  // plain arrays: cannot fail
}

/// One revision of a period as the store holds it.
public struct RevisionInfo: Sendable, Equatable {
  public var id: Int64
  public var period: String
  public var number: Int
  public var delivery: Int64
  public var digest: String
  public var periodEnd: String?
}

/// One delivery as the store records it.
public struct DeliveryInfo: Sendable, Equatable {
  public var id: Int64
  public var name: String
  public var source: String
  public var digest: String
  public var importedAt: String
  public var manifestName: String
  public var periods: [String]
  public var summary: String
}

/// What the store holds, read in one transaction: enough to compose a dataset or to check
/// a delivery against.
struct StoreState {
  var frame: Frame?
  /// Period labels in the store's order.
  var periods: [String] = []
  /// Every revision, by period, oldest first.
  var revisions: [String: [RevisionInfo]] = [:]
  var deliveries: [DeliveryInfo] = []
  /// The organisation history: each node's fields merged over the deliveries in order, and
  /// the order of rows (docs/store.md, "Life of a delivery" 4).
  var org: [String: [String: String]] = [:]
  var orgOrder: [String] = []
  var storeID = ""

  /// Reads the store; without `org`, the organisation history is left empty (composing
  /// from the cache needs only the revisions).
  static func read(_ sql: any StoreSQL, org readOrg: Bool = true) throws -> StoreState {
    var s = StoreState()
    s.storeID = try sql.value("SELECT value FROM meta WHERE key = 'store_id'")?.text ?? ""
    if let f = try sql.value("SELECT value FROM meta WHERE key = 'frame'")?.text {
      s.frame = try JSONDecoder().decode(Frame.self, from: Data(f.utf8))
    }
    s.periods = try sql.rows("SELECT label FROM period ORDER BY position").compactMap { $0[0].text }
    for r in try sql.rows("SELECT id, period, number, delivery, digest, period_end FROM revision ORDER BY period, number") {
      let info = RevisionInfo(
        id: r[0].int ?? 0, period: r[1].text ?? "", number: Int(r[2].int ?? 0), delivery: r[3].int ?? 0,
        digest: r[4].text ?? "", periodEnd: r[5].text)
      s.revisions[info.period, default: []].append(info)
    }
    s.deliveries = try sql.rows("SELECT id, name, source, digest, imported_at, manifest_name, periods, summary FROM delivery ORDER BY id").map { r in
      DeliveryInfo(
        id: r[0].int ?? 0, name: r[1].text ?? "", source: r[2].text ?? "", digest: r[3].text ?? "",
        importedAt: r[4].text ?? "", manifestName: r[5].text ?? "",
        periods: (r[6].text ?? "").split(separator: "\t").map(String.init), summary: r[7].text ?? "")
    }
    guard readOrg else { return s }
    // The history: later deliveries' stated fields over earlier ones'.
    let columns = orgColumns.dropFirst()
    var positions: [Int64: [(Int, String)]] = [:]
    let select = "SELECT delivery, node, position, " + columns.joined(separator: ", ") + " FROM org_row ORDER BY delivery, position"
    for r in try sql.rows(select) {
      let d = r[0].int ?? 0
      let node = r[1].text ?? ""
      positions[d, default: []].append((Int(r[2].int ?? 0), node))
      var fields = s.org[node] ?? ["id": node]
      for (k, c) in columns.enumerated() {
        if let v = r[3 + k].text { fields[c] = v }
      }
      s.org[node] = fields
    }
    s.orgOrder = Self.order(positions.sorted { $0.key < $1.key }.map { $0.value.map(\.1) })
    return s
  }

  /// Rows in the order of the latest delivery's `org.csv`, then the nodes only earlier
  /// deliveries listed, latest first, each in its file's order.
  static func order(_ lists: [[String]]) -> [String] {
    var seen = Set<String>()
    var out: [String] = []
    for list in lists.reversed() {
      for node in list where seen.insert(node).inserted { out.append(node) }
    }
    return out
  }

  func latest(_ period: String) -> RevisionInfo? { revisions[period]?.last }

  func delivery(_ id: Int64) -> DeliveryInfo? { deliveries.first { $0.id == id } }
}
