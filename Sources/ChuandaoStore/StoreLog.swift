import Chuandao
import Foundation

/// The history of a store: deliveries, each period's revisions, and what each delivery
/// changed in the organisation (`store log`).
public struct StoreLog: Sendable {
  public struct OrgChange: Sendable, Equatable {
    public var node: String
    /// `added` or `changed`.
    public var change: String
    /// The changed fields, comma-separated.
    public var fields: String
  }
  public var deliveries: [DeliveryInfo]
  public var periods: [String]
  public var revisions: [String: [RevisionInfo]]
  public var orgChanges: [Int64: [OrgChange]]
}

extension Store {
  public func log() throws -> StoreLog {
    try db.read { sql in
      let state = try StoreState.read(sql)
      var changes: [Int64: [StoreLog.OrgChange]] = [:]
      for r in try sql.rows("SELECT delivery, node, change, fields FROM org_change ORDER BY delivery, change, node") {
        changes[r[0].int ?? 0, default: []].append(
          StoreLog.OrgChange(node: r[1].text ?? "", change: r[2].text ?? "", fields: r[3].text ?? ""))
      }
      return StoreLog(deliveries: state.deliveries, periods: state.periods, revisions: state.revisions, orgChanges: changes)
    }
  }
}
