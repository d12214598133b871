import Chuandao
import Foundation
import _ChuandaoOutput

/// What an import did or would do (docs/store.md, "Life of a delivery").
public struct ImportOutcome: Sendable {
  public enum PeriodChange: Sendable, Equatable {
    /// A period the store did not have: revision 1.
    case added(String)
    /// A changed re-delivery: the new revision number (the earlier ones are kept).
    case revised(String, revision: Int)
    case unchanged(String, revision: Int)
  }
  public var delivery: String
  public var periods: [PeriodChange] = []
  /// Nodes new to the organisation history.
  public var orgAdded: [String] = []
  /// Nodes whose stated fields changed, with the fields.
  public var orgChanged: [(node: String, fields: [String])] = []
  /// Nodes the store has that the delivery does not list (kept as they were).
  public var orgKept = 0
  /// Nothing was written: the store already holds this delivery.
  public var nothingChanged: Bool { periods.allSatisfy { if case .unchanged = $0 { true } else { false } } && orgAdded.isEmpty && orgChanged.isEmpty }
  /// The loader's warnings on the delivery.
  public var warnings = DiagnosticLog()
}

extension Store {
  /// Checks a delivery against the store without writing (`validate --store S DELIVERY`):
  /// the warnings, or `StoreError.invalidData` with every problem.
  public func check(delivery folder: String) throws -> ImportOutcome {
    try db.read { sql in
      let state = try StoreState.read(sql)
      return try Self.plan(folder: folder, state: state, location: location, sql: sql).outcome
    }
  }

  /// Imports a delivery folder in one transaction (docs/store.md, "Life of a delivery").
  public func importDelivery(folder: String) throws -> ImportOutcome {
    try db.write { sql in
      let state = try StoreState.read(sql)
      let plan = try Self.plan(folder: folder, state: state, location: location, sql: sql)
      if plan.outcome.nothingChanged { return plan.outcome }
      try Self.write(plan, state: state, sql: sql)
      if let pause = ProcessInfo.processInfo.environment["CHUANDAO_STORE_TEST_PAUSE_BEFORE_COMMIT"], !pause.isEmpty {
        // For the test that kills an import with its transaction open (StoreTests): say so,
        // then wait to be killed.
        FileHandle.standardError.write(Data("store: paused before commit\n".utf8))
        sleep(UInt32(pause) ?? 60)
      }
      return plan.outcome
    }
  }

  struct Plan {
    /// Nil when nothing changes.
    var delivery: Delivery?
    var outcome: ImportOutcome
    var merged: [String]
    /// The new revisions: period -> (number, digest, period_end).
    var newRevisions: [(period: String, number: Int, digest: String, periodEnd: String?)]
  }

  static func plan(folder: String, state: StoreState, location: String, sql: any StoreSQL) throws -> Plan {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
      throw StoreError(.usage, zh: "\(folder)：不是文件夹；一次交付是一个数据集文件夹（dataset.yaml、org.csv 等）",
        en: "\(folder): not a folder; a delivery is a dataset folder (dataset.yaml, org.csv, ...)")
    }
    let (read, manifestLog) = Manifest.read(folder: folder)
    guard let manifest = read else {
      throw StoreError(.invalidData, zh: "交付无效", en: "the delivery is invalid", diagnostics: manifestLog)
    }
    // The store's last delivery again, byte for byte: nothing can change (its periods hold
    // these records and the history has these rows), so it is said at once, without the
    // checks and the slicing.
    if let last = state.deliveries.last, let digest = try? Delivery.digest(folder: folder), digest == last.digest {
      var outcome = ImportOutcome(delivery: deliveryName(folder))
      outcome.periods = manifest.periods.map { .unchanged($0, revision: state.latest($0)?.number ?? 1) }
      return Plan(delivery: nil, outcome: outcome, merged: state.periods, newRevisions: [])
    }
    let frame = Frame(manifest)
    if let stored = state.frame, stored != frame {
      var log = DiagnosticLog()
      func differ(_ key: String, _ a: [String], _ b: [String]) {
        guard a != b else { return }
        log.error("dataset.yaml", nil,
          zh: "'\(key)' 与存储库不同：交付为 [\(a.joined(separator: ", "))]，存储库为 [\(b.joined(separator: ", "))]；同一存储库的各次交付须一致",
          en: "'\(key)' differs from the store's: the delivery has [\(a.joined(separator: ", "))], the store [\(b.joined(separator: ", "))]; every delivery of one store must agree")
      }
      differ("levels", frame.levels, stored.levels)
      differ("subjects", frame.subjects, stored.subjects)
      differ("domains", frame.domains, stored.domains)
      differ("kinds", frame.kinds, stored.kinds)
      differ("subject_weights", frame.subjectWeights.map { "\($0)" }, stored.subjectWeights.map { "\($0)" })
      differ("kind_weights", frame.kindWeights.map { "\($0)" }, stored.kindWeights.map { "\($0)" })
      throw StoreError(.invalidData, zh: "交付无效", en: "the delivery is invalid", diagnostics: log)
    }

    // The store's periods with the delivery's merged in (docs/store.md, step 1).
    var merged = state.periods
    var next = merged.count
    for p in manifest.periods.reversed() {
      if let i = merged.firstIndex(of: p) {
        guard i < next else {
          var log = DiagnosticLog()
          log.error("dataset.yaml", nil,
            zh: "'periods' 的顺序与存储库不同（存储库：\(state.periods.joined(separator: ", "))）",
            en: "'periods' are in another order than the store's (\(state.periods.joined(separator: ", ")))")
          throw StoreError(.invalidData, zh: "交付无效", en: "the delivery is invalid", diagnostics: log)
        }
        next = i
      } else {
        merged.insert(p, at: next)
      }
    }
    let ownEnd = Dictionary(uniqueKeysWithValues: manifest.periods.indices.map { (manifest.periods[$0], manifest.periodEnd[$0]) })
    let periodEnd: [Int32?] = merged.map { p in
      if let e = ownEnd[p] { return e }
      return state.latest(p)?.periodEnd.flatMap(ISODate.parse)
    }
    // A period the delivery does not place among the store's ones goes last; where the
    // periods say otherwise (end dates, or labels that are years) that would put time out
    // of order, and trend and compare would read it backwards: refused, with the fix.
    for k in merged.indices.dropFirst() {
      let (a, b) = (merged[k - 1], merged[k])
      let datesBackwards = periodEnd[k - 1].flatMap { ea in periodEnd[k].map { $0 < ea } } ?? false
      let yearsBackwards = Int(a).flatMap { ya in Int(b).map { $0 < ya } } ?? false
      if datesBackwards || yearsBackwards {
        var log = DiagnosticLog()
        log.error("dataset.yaml", nil,
          zh: "期 '\(b)' 会排在 '\(a)' 之后，但时间上更早：请在 dataset.yaml 的 'periods' 中同时列出存储库中与之相邻的期（存储库：\(state.periods.joined(separator: ", "))），以确定其位置",
          en: "period '\(b)' would come after '\(a)' but is earlier in time: list the store's periods around it in dataset.yaml's 'periods' (the store's: \(state.periods.joined(separator: ", "))) to place it")
        throw StoreError(.invalidData, zh: "交付无效", en: "the delivery is invalid", diagnostics: log)
      }
    }

    // The loader on the delivery's own files, with a dataset.yaml that knows the store's
    // periods too (docs/store.md, step 2).
    let view = try temporaryFolder("view")
    defer { try? FileManager.default.removeItem(atPath: view) }
    var viewManifest = manifest
    viewManifest.periods = merged
    viewManifest.periodEnd = periodEnd
    try Data(viewManifest.yaml.utf8).write(to: URL(fileURLWithPath: path(view, "dataset.yaml")))
    let absolute = URL(fileURLWithPath: folder).standardizedFileURL.path
    for name in Dataset.knownFiles.dropFirst() where FileManager.default.fileExists(atPath: path(folder, name)) {
      try FileManager.default.createSymbolicLink(atPath: path(view, name), withDestinationPath: path(absolute, name))
    }
    let own = Set(manifest.periods)
    let foreign = merged.filter { !own.contains($0) }
    func keep(_ d: Diagnostic) -> Bool {
      // The loader's "no scores in period P" for the periods the delivery does not hold.
      !(d.severity == .warning && foreign.contains { d.message.en.hasSuffix("has no scores in period \($0)") })
    }
    let loaded: Dataset
    do {
      loaded = try Dataset.load(folder: view, digests: true)
    } catch {
      var log = manifestLog
      for d in error.diagnostics.items where keep(d) && d.file != "dataset.yaml" { log.add(d) }
      throw StoreError(.invalidData, zh: "交付无效", en: "the delivery is invalid", diagnostics: log)
    }
    var warnings = manifestLog
    for d in loaded.diagnostics.items where keep(d) && d.file != "dataset.yaml" { warnings.add(d) }
    let ownYAML = FileManager.default.contents(atPath: path(folder, "dataset.yaml")).map { Array($0) } ?? []
    let files = loaded.files.map { f -> DatasetFile in
      var f = f
      f.path = path(folder, f.name)
      if f.name == "dataset.yaml" {
        f.bytes = ownYAML.count
        f.sha256 = FileDigest.sha256Hex(bytes: ownYAML)
      }
      return f
    }

    // Slices, revisions and the organisation's changes (steps 3 and 4).
    let delivery = try Delivery(folder: folder, manifest: manifest, files: files)
    var outcome = ImportOutcome(delivery: deliveryName(folder))
    outcome.warnings = warnings
    var newRevisions: [(String, Int, String, String?)] = []
    for (t, p) in manifest.periods.enumerated() {
      let end = manifest.periodEnd[t].map(ISODate.format)
      let digest = delivery.periodDigest(p, periodEnd: end)
      if let latest = state.latest(p) {
        if latest.digest == digest {
          outcome.periods.append(.unchanged(p, revision: latest.number))
        } else {
          outcome.periods.append(.revised(p, revision: latest.number + 1))
          newRevisions.append((p, latest.number + 1, digest, end))
        }
      } else {
        outcome.periods.append(.added(p))
        newRevisions.append((p, 1, digest, end))
      }
    }
    var listed = Set<String>()
    for row in delivery.org {
      listed.insert(row.node)
      guard let before = state.org[row.node] else {
        outcome.orgAdded.append(row.node)
        continue
      }
      let changed = orgColumns.filter { c in row.fields[c].map { $0 != (before[c] ?? "") } ?? false }
      if !changed.isEmpty { outcome.orgChanged.append((row.node, changed)) }
    }
    outcome.orgKept = state.org.keys.filter { !listed.contains($0) }.count

    let plan = Plan(delivery: delivery, outcome: outcome, merged: merged, newRevisions: newRevisions)
    if !outcome.nothingChanged { try checkWhole(plan, state: state, sql: sql) }
    return plan
  }

  /// The store as it would be after the import, composed and loaded (step 5): a row of an
  /// earlier period that the revised history makes invalid is found here.
  static func checkWhole(_ plan: Plan, state: StoreState, sql: any StoreSQL) throws {
    guard let delivery = plan.delivery else { return }
    var after = state
    after.frame = Frame(delivery.manifest)
    after.periods = plan.merged
    var slices: [Int64: [String: Slice]] = [:]
    var pendingID: Int64 = -1
    for r in plan.newRevisions {
      after.revisions[r.period, default: []].append(RevisionInfo(
        id: pendingID, period: r.period, number: r.number, delivery: -1, digest: r.digest, periodEnd: r.periodEnd))
      slices[pendingID] = delivery.slices[r.period] ?? [:]
      pendingID -= 1
    }
    for row in delivery.org {
      var f = after.org[row.node] ?? [:]
      for (k, v) in row.fields { f[k] = v }
      after.org[row.node] = f
    }
    after.orgOrder = StoreState.order([state.orgOrder, delivery.org.map(\.node)])
    let chosen = plan.merged.compactMap { after.latest($0) }
    for r in chosen where r.id > 0 { slices[r.id] = try loadSlices(sql, revision: r.id) }
    let files = Composer.files(state: after, name: delivery.manifest.name, chosen: chosen, slices: slices)
    let parent = try temporaryFolder("whole")
    defer { try? FileManager.default.removeItem(atPath: parent) }
    let folder = path(parent, "store")
    try Composer.materialize(files, at: folder)
    do {
      _ = try Dataset.load(folder: folder)
    } catch {
      var log = DiagnosticLog()
      for d in error.diagnostics.items where d.severity == .error {
        log.error("\(d.file) (" + "store" + ")", d.line,
          zh: "与存储库合并后：" + d.message.zh, en: "after merging with the store: " + d.message.en)
      }
      throw StoreError(.invalidData, zh: "交付与存储库中的数据不一致", en: "the delivery does not agree with the store", diagnostics: log)
    }
  }

  static func deliveryName(_ folder: String) -> String {
    URL(fileURLWithPath: folder).standardizedFileURL.lastPathComponent
  }
}

func temporaryFolder(_ tag: String) throws -> String {
  let folder = path(NSTemporaryDirectory(), "chuandao-\(tag)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
  try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
  return folder
}

func loadSlices(_ sql: any StoreSQL, revision: Int64) throws -> [String: Slice] {
  var out: [String: Slice] = [:]
  for row in try sql.rows("SELECT file, columns, records, body FROM slice WHERE revision = ?", [.int(revision)]) {
    out[row[0].text ?? ""] = Slice(
      columns: (row[1].text ?? "").split(separator: ",").map(String.init),
      records: Int(row[2].int ?? 0), body: row[3].blob ?? [])
  }
  return out
}

extension Store {
  /// Step 6: everything in the caller's transaction.
  static func write(_ plan: Plan, state: StoreState, sql: any StoreSQL) throws {
    guard let d = plan.delivery else { return }
    let o = plan.outcome
    let summary = JSON.object([
      "periods": .array(o.periods.map { c in
        switch c {
        case .added(let p): .object(["period": .string(p), "change": .string("added"), "revision": .int(1)])
        case .revised(let p, let n): .object(["period": .string(p), "change": .string("revised"), "revision": .int(n)])
        case .unchanged(let p, let n): .object(["period": .string(p), "change": .string("unchanged"), "revision": .int(n)])
        }
      }),
      "org_added": .int(o.orgAdded.count), "org_changed": .int(o.orgChanged.count), "org_kept": .int(o.orgKept),
    ])
    guard let id = try sql.value(
      "INSERT INTO delivery(name, source, digest, imported_at, manifest_name, periods, summary) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
      [.text(o.delivery), .text(URL(fileURLWithPath: d.folder).standardizedFileURL.path), .text(d.digest),
       .text(Provenance.now()), .text(d.manifest.name), .text(d.manifest.periods.joined(separator: "\t")),
       .text(JSONWriter(pretty: false).string(summary))])?.int
    else { throw StoreError(.io, zh: "无法记录交付", en: "cannot record the delivery") }
    for f in d.files {
      try sql.execute("INSERT INTO delivery_file(delivery, name, sha256, bytes, records, encoding) VALUES (?, ?, ?, ?, ?, ?)",
        [.int(id), .text(f.name), .text(f.sha256 ?? ""), .int(Int64(f.bytes)), .int(Int64(f.records)), .text(f.encoding)])
    }
    if state.frame == nil {
      try sql.execute("INSERT INTO meta(key, value) VALUES ('frame', ?)", [.text(Frame(d.manifest).json)])
    }
    if plan.merged != state.periods {
      for (i, p) in state.periods.enumerated() {
        try sql.execute("UPDATE period SET position = ? WHERE label = ?", [.int(Int64(-1 - i)), .text(p)])
      }
      for (i, p) in plan.merged.enumerated() {
        try sql.execute("INSERT INTO period(label, position) VALUES (?, ?) ON CONFLICT(label) DO UPDATE SET position = excluded.position",
          [.text(p), .int(Int64(i))])
      }
    }
    for r in plan.newRevisions {
      guard let rid = try sql.value(
        "INSERT INTO revision(period, number, delivery, digest, period_end) VALUES (?, ?, ?, ?, ?) RETURNING id",
        [.text(r.period), .int(Int64(r.number)), .int(id), .text(r.digest), StoreValue(r.periodEnd)])?.int
      else { throw StoreError(.io, zh: "无法记录修订", en: "cannot record the revision") }
      for (file, s) in (d.slices[r.period] ?? [:]).sorted(by: { $0.key < $1.key }) {
        try sql.execute("INSERT INTO slice(revision, file, columns, records, body) VALUES (?, ?, ?, ?, ?)",
          [.int(rid), .text(file), .text(s.columns.joined(separator: ",")), .int(Int64(s.records)), .blob(s.body)])
      }
    }
    let columns = Array(orgColumns.dropFirst())
    let insertOrg = "INSERT INTO org_row(delivery, node, position, " + columns.joined(separator: ", ") + ") VALUES (?, ?, ?"
      + String(repeating: ", ?", count: columns.count) + ")"
    for (k, row) in d.org.enumerated() {
      try sql.execute(insertOrg, [.int(id), .text(row.node), .int(Int64(k))] + columns.map { StoreValue(row.fields[$0]) })
    }
    for node in o.orgAdded {
      try sql.execute("INSERT INTO org_change(delivery, node, change, fields) VALUES (?, ?, 'added', '')", [.int(id), .text(node)])
    }
    for (node, fields) in o.orgChanged {
      try sql.execute("INSERT INTO org_change(delivery, node, change, fields) VALUES (?, ?, 'changed', ?)",
        [.int(id), .text(node), .text(fields.joined(separator: ","))])
    }
  }
}
