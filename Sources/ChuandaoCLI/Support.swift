import ArgumentParser
import Chuandao
import ChuandaoReport
import ChuandaoStore
import Foundation
import _ChuandaoOutput

/// What a command prints while a notebook block runs it in-process (`notebook run`): the
/// items of its standard output and the text of its standard error, kept instead of
/// printed. Blocks run one at a time, so one capture at a time is set.
final class OutputCapture: @unchecked Sendable {
  /// The block's command line, for provenance in place of the process's.
  let command: String
  private(set) var items: [NotebookItem] = []
  private(set) var messages = ""
  private let lock = NSLock()

  init(command: String) {
    self.command = command
  }

  /// Charts the block drew (`chuandao chart`), by the name the command gives them; the
  /// block's items link them as `chart:N`, N the index here, until the runner names files.
  private(set) var charts: [(name: String, svg: String)] = []

  func add(_ item: NotebookItem) { lock.withLock { items.append(item) } }
  func addChart(name: String, svg: String, caption: String) {
    lock.withLock {
      items.append(.chart(link: "chart:\(charts.count)", caption: caption))
      charts.append((name, svg))
    }
  }
  func addMessage(_ text: String) { lock.withLock { messages += text } }

  /// The capture in force, if any.
  static var current: OutputCapture? { lock.withLock { active } }

  /// Runs `body` with `capture` in force.
  static func with<T>(_ capture: OutputCapture, _ body: () throws -> T) rethrows -> T {
    lock.withLock { active = capture }
    defer { lock.withLock { active = nil } }
    return try body()
  }

  private static let lock = NSLock()
  nonisolated(unsafe) private static var active: OutputCapture?
}

/// Writes to standard error (or to the notebook block's messages).
func printError(_ text: String) {
  let line = text.hasSuffix("\n") ? text : text + "\n"
  if let capture = OutputCapture.current { return capture.addMessage(line) }
  FileHandle.standardError.write(Data(line.utf8))
}

/// Writes to standard output without buffering surprises (or to the notebook block).
func printOut(_ text: String) {
  if let capture = OutputCapture.current { return capture.add(.text(text, info: "text")) }
  FileHandle.standardOutput.write(Data(text.utf8))
}

/// The command line as typed, for provenance (a notebook block's own, in a notebook).
var commandLine: String {
  OutputCapture.current?.command ?? shellQuoted(["chuandao"] + CommandLine.arguments.dropFirst())
}

/// A dataset argument that is not a folder is a usage error (exit 1), not invalid data.
func requireFolder(_ folder: String, lang: Language) throws {
  var isDirectory: ObjCBool = false
  guard !FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory) || !isDirectory.boolValue
  else { return }
  let exists = FileManager.default.fileExists(atPath: folder)
  printError(lang.pick(
    exists ? "\(folder): 错误：不是文件夹；数据集是一个包含 dataset.yaml 和 org.csv 的文件夹" : "\(folder): 错误：文件夹不存在",
    exists ? "\(folder): error: not a folder; a dataset is a folder holding dataset.yaml and org.csv" : "\(folder): error: no such folder"))
  throw ExitCode(1)
}

/// Loads a dataset for an analysis command, hashing its files for provenance at the same
/// time, through the dataset snapshot unless `noCache` or `CHUANDAO_NO_CACHE=1`
/// (docs/snapshot.md): on errors prints every diagnostic and exits 2; warnings are
/// summarised (all of them with `validate`).
func loadDataset(
  _ folder: String, config: String?, lang: Language, noCache: Bool = false, rehash: Bool = false,
  maxWarnings: Int = 10
) throws -> (Dataset, InputDigests) {
  try requireFolder(folder, lang: lang)
  let progress = StageReporter(lang: lang)
  let environment = ProcessInfo.processInfo.environment
  let off = noCache || !["", "0"].contains(environment["CHUANDAO_NO_CACHE"] ?? "")
  let cache = off ? nil : SnapshotCache.defaultFolder(environment: environment).map(SnapshotCache.init)
  let load = Dataset.loadAndDigest(
    folder: folder, configPath: config, cache: cache, verify: rehash ? .sha256 : .metadata
  ) { stage in
    switch stage {
    case .snapshot(let bytes):
      progress.begin("读取数据集快照", "reading the dataset snapshot", amount: Double(bytes) / 1e6, unit: "MB")
    case .files(let bytes):
      progress.begin("读取并校验数据集", "reading and checking the dataset", amount: Double(bytes) / 1e6, unit: "MB")
    case .writingSnapshot:
      progress.begin("写入数据集快照", "writing the dataset snapshot")
    }
  }
  progress.end()
  for note in load.notes { printError(note.text(lang)) }
  let (loaded, hashed) = (load.dataset, load.digests)
  let dataset: Dataset
  switch loaded {
  case .success(let d): dataset = d
  case .failure(let error):
    for d in error.diagnostics.items { printError(d.formatted(lang)) }
    printError(error.diagnostics.summary(lang))
    throw ExitCode(2)
  }
  let warnings = dataset.diagnostics.items
  for d in warnings.prefix(maxWarnings) { printError(d.formatted(lang)) }
  if warnings.count > maxWarnings {
    printError(lang.pick(
      "……另有 \(warnings.count - maxWarnings) 个警告；运行 `chuandao validate \(folder)` 查看全部",
      "... and \(warnings.count - maxWarnings) more \(warnings.count - maxWarnings == 1 ? "warning" : "warnings"); run `chuandao validate \(folder)` to see them all"))
  }
  switch hashed {
  case .success(let digests): return (dataset, digests)
  case .failure(let error):
    printError(lang.pick("错误：无法读取输入文件以计算 SHA-256：\(error)", "error: cannot read an input file for its SHA-256: \(error)"))
    throw ExitCode(1)
  }
}

/// Loads the settings of `--config`, or the defaults; a bad file is a usage error (exit 1).
func loadSettings(_ path: String?, lang: Language) throws -> Settings {
  guard let path else { return Settings() }
  do {
    return try Settings.load(path: path)
  } catch {
    printError(error.formatted(lang))
    throw ExitCode(1)
  }
}

extension CommonOptions {
  /// What every analysis command starts with: the settings of `--config` (checked before
  /// the dataset is read, so a bad key fails fast), then the dataset and its digests.
  func load(_ dataset: DatasetArgument) throws -> (settings: Settings, data: Dataset, digests: InputDigests) {
    let settings = try loadSettings(config, lang: lang)
    let (data, digests) = try loadDataset(
      dataset, config: config, lang: lang, noCache: cache.noCache, rehash: cache.rehash)
    return (settings, data, digests)
  }
}

/// Loads the dataset of a folder, or composes it from `--store` (docs/store.md) and loads
/// that; the store and revisions used are kept for the provenance (`StoreSession`).
func loadDataset(
  _ argument: DatasetArgument, config: String?, lang: Language, noCache: Bool = false, rehash: Bool = false
) throws -> (Dataset, InputDigests) {
  StoreSession.current = nil
  guard let location = argument.store else {
    return try loadDataset(argument.dataset, config: config, lang: lang, noCache: noCache, rehash: rehash)
  }
  let store = try openStore(location, lang: lang)
  let environment = ProcessInfo.processInfo.environment
  let off = noCache || !["", "0"].contains(environment["CHUANDAO_NO_CACHE"] ?? "")
  let composed: StoreDataset
  do {
    composed = try store.dataset(revisions: try argument.revisions(), cacheFolder: off ? nil : SnapshotCache.defaultFolder(environment: environment))
  } catch {
    throw storeFailure(error, lang: lang)
  }
  defer { if composed.temporary { try? FileManager.default.removeItem(atPath: composed.folder) } }
  let loaded = try loadDataset(composed.folder, config: config, lang: lang, noCache: noCache, rehash: rehash)
  StoreSession.current = StoreSession(store: store, composed: composed)
  return loaded
}

/// Resolves `--period` (default: the latest); an unknown label is a usage error.
func resolvePeriod(_ label: String?, in dataset: Dataset, lang: Language) throws -> Int {
  let periods = dataset.manifest.periods
  guard let label else { return periods.count - 1 }
  if let t = periods.firstIndex(of: label) { return t }
  printError(lang.pick(
    "错误：未知的期 '\(label)'（数据集的期：\(periods.joined(separator: ", "))）",
    "error: unknown period '\(label)' (the dataset's periods: \(periods.joined(separator: ", ")))"))
  throw ExitCode(1)
}

/// Resolves `--level` to a level index (nil when not given); an unknown name is a usage
/// error naming the dataset's levels.
func resolveLevel(_ name: String?, in dataset: Dataset, lang: Language) throws -> Int? {
  guard let name else { return nil }
  let levels = dataset.manifest.levels
  if let k = levels.firstIndex(of: name) { return k }
  printError(lang.pick(
    "错误：未知的层级 '\(name)'（可用：\(levels.joined(separator: "、"))）",
    "error: unknown level '\(name)' (the dataset's levels: \(levels.joined(separator: ", ")))"))
  throw ExitCode(1)
}

/// Makes the provenance of a result and prints or writes it in the chosen format: the one
/// way every analysis command ends. `usesSettings`: the table ends with the settings line.
func publish(
  dataset folder: String, digests: InputDigests, period: String?, options: CommonOptions,
  usesSettings: Bool = true, render: (Provenance) -> CommandOutput
) throws {
  var provenance = Provenance(digests: digests, command: commandLine, period: period)
  provenance.store = StoreSession.current?.composed.provenance
  try emit(
    render(provenance), options: options, provenance: provenance,
    protecting: Provenance.protectedPaths(dataset: folder, configPath: options.config),
    settingsLine: usesSettings ? settingsLine(options.config, digest: digests.config, lang: options.lang) : nil)
}

/// Which settings made a table: the file and the start of its SHA-256, or the defaults.
func settingsLine(_ path: String?, digest: String?, lang: Language) -> String {
  guard let path else {
    return lang.pick("设置：默认值（未给 --config）\n", "Settings: defaults (no --config)\n")
  }
  let hash = digest.map { " sha256 \($0.prefix(12))" } ?? ""
  return lang.pick("设置：\(path)（\(hash.trimmingCharacters(in: .whitespaces))）\n", "Settings: \(path) (\(hash.trimmingCharacters(in: .whitespaces)))\n")
}

/// Whether tables print whole names: `--wide`, or output that is not a terminal.
func wholeNames(_ options: CommonOptions) -> Bool {
  options.wide || options.out != nil || OutputCapture.current != nil || isatty(STDOUT_FILENO) == 0
}

/// Prints or writes a command's output in the chosen format, with provenance: the one
/// place that knows the formats. The text forms render the command's document with the
/// format's renderer (the settings line last); JSON and CSV write its data.
func emit(
  _ output: CommandOutput, options: CommonOptions, provenance: Provenance, protecting: Set<String>,
  settingsLine: String? = nil
) throws {
  if let renderer = options.format.renderer(wholeNames: wholeNames(options)) {
    var document = output.document()
    if let settingsLine {
      document.append(Section(nil, [.paragraph(String(settingsLine.dropLast(settingsLine.hasSuffix("\n") ? 1 : 0)))]))
    }
    // In a notebook, Markdown and HTML become the notebook's own tables.
    if let capture = OutputCapture.current, options.out == nil, options.format != .table {
      return capture.add(.document(document))
    }
    try write(Array(renderer.render(document).utf8), to: options.out, protecting: protecting, lang: options.lang)
    return
  }
  switch options.format {
  case .json:
    var doc = output.json()
    if doc["provenance"] == nil { doc["provenance"] = provenance.json }
    try writeJSON(doc, to: options.out, protecting: protecting, lang: options.lang)
  case .csv where options.out.map(isFolderTarget) ?? false:
    try writeTables(output, folder: options.out!, provenance: provenance, protecting: protecting, lang: options.lang)
  case .csv:
    // Numbers to 10 significant digits: no floating-point noise (92.19999999999999) in a
    // spreadsheet; the JSON keeps full precision (docs/output.md).
    let bytes = CSVTable(objects: output.csvRows(), significantDigits: 10).bytes()
    try write(bytes, to: options.out, protecting: protecting, lang: options.lang, info: "csv")
    if let out = options.out {
      let side = JSONWriter().string(provenance.json) + "\n"
      try write(Array(side.utf8), to: out + ".provenance.json", protecting: protecting, lang: options.lang)
    }
  case .xlsx:
    guard let out = options.out else {
      printError(options.lang.pick(
        "错误：--format xlsx 需要 --out FILE.xlsx（工作簿不写到标准输出）",
        "error: --format xlsx needs --out FILE.xlsx (a workbook is not written to standard output)"))
      throw ExitCode(1)
    }
    do throws(OutputError) {
      var workbook = try output.workbook(provenance: provenance.json.objectValue ?? JSONObject())
      try workbook.write(to: out, protecting: protecting)
    } catch {
      throw outputFailure(error, path: out, lang: options.lang)
    }
  case .table, .markdown, .html:
    preconditionFailure("\(options.format) is rendered above")
  }
}

/// `--out` names a folder for `--format csv` when it ends in `/` or is an existing folder.
func isFolderTarget(_ path: String) -> Bool {
  var isDirectory: ObjCBool = false
  return path.hasSuffix("/") || (FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue)
}

/// Makes the output folder `path` when missing (its parent must exist); an existing
/// non-folder or a folder that cannot be made is a usage error (exit 1).
func makeFolder(_ path: String, lang: Language) throws {
  var isDirectory: ObjCBool = false
  if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
    if isDirectory.boolValue { return }
    printError(lang.pick("错误：\(path) 已存在且不是文件夹", "error: \(path) exists and is not a folder"))
    throw ExitCode(1)
  }
  do {
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
  } catch {
    printError(lang.pick("错误：无法创建文件夹 \(path)（其上级文件夹须已存在）", "error: cannot create the folder \(path) (its parent must exist)"))
    throw ExitCode(1)
  }
}

/// `--format csv --out DIR`: one CSV file per table (`CommandOutput.csvTables`) and
/// `provenance.json`, each written atomically; the folder is made when missing (its parent
/// must exist).
func writeTables(
  _ output: CommandOutput, folder: String, provenance: Provenance, protecting: Set<String>, lang: Language
) throws {
  try makeFolder(folder, lang: lang)
  let base = folder.hasSuffix("/") ? String(folder.dropLast()) : folder
  for (name, rows) in output.csvTables() {
    let bytes = CSVTable(objects: rows, significantDigits: 10).bytes()
    try write(bytes, to: "\(base)/\(name).csv", protecting: protecting, lang: lang)
  }
  let side = JSONWriter().string(provenance.json) + "\n"
  try write(Array(side.utf8), to: "\(base)/provenance.json", protecting: protecting, lang: lang)
}

/// Writes `bytes` atomically to `path`, or to standard output (in a notebook, to the
/// block's output as a fenced block with `info`).
func write(_ bytes: [UInt8], to path: String?, protecting: Set<String>, lang: Language, info: String = "text") throws {
  guard let path else {
    if let capture = OutputCapture.current {
      var text = String(decoding: bytes, as: UTF8.self)
      if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
      return capture.add(.text(text, info: info))
    }
    FileHandle.standardOutput.write(Data(bytes))
    return
  }
  do {
    try AtomicFile.write(bytes, to: path, protecting: protecting)
  } catch {
    throw outputFailure(error, path: path, lang: lang)
  }
}

/// A JSON document on stdout or into `path` (atomically), streamed a megabyte at a time
/// (`JSONWriter.ObjectStream`): a national command's node list is gigabytes of text, never
/// held whole. The bytes are those of `JSONWriter().data(.object(doc))`.
func writeJSON(_ doc: JSONObject, to path: String?, protecting: Set<String>, lang: Language) throws {
  if OutputCapture.current != nil && path == nil {
    return try write(JSONWriter().data(.object(doc)), to: nil, protecting: protecting, lang: lang, info: "json")
  }
  guard let path else {
    var stream = JSONWriter.ObjectStream(writer: JSONWriter()) { FileHandle.standardOutput.write(Data($0)) }
    for (key, value) in doc { stream.member(key, value) }
    stream.finish()
    return
  }
  do {
    let file = try JSONWriter.ObjectFile(path: path, protecting: protecting)
    for (key, value) in doc { file.member(key, value) }
    try file.commit()
  } catch {
    throw outputFailure(error, path: path, lang: lang)
  }
}

/// Prints what went wrong writing `path` and returns the exit status (1).
func outputFailure(_ error: OutputError, path: String, lang: Language) -> ExitCode {
  switch error {
  case .cannotWrite(_, let reason):
    printError(lang.pick("错误：无法写入 \(path)：\(reason)", "error: cannot write \(path): \(reason)"))
  case .wouldOverwriteInput:
    printError(lang.pick(
      "错误：拒绝写入 \(path)：它是输入文件，请换一个输出路径", "error: refusing to write \(path): it is an input file; choose another output path"))
  case .cannotRead(_, let reason):
    printError(lang.pick("错误：无法读取 \(path)：\(reason)", "error: cannot read \(path): \(reason)"))
  }
  return ExitCode(1)
}

/// An analysis whose own input file the dataset lacks is a usage error (exit 1) naming the
/// file (OUTPUT.md; DATA.md's older "exits 2" is superseded, see docs/data-decisions.md):
/// the data are valid, the analysis was asked of data that cannot answer it.
/// A workbook saved in the file's place (`scores.xlsx`) is named, with what to do.
func requireFile(_ name: String, in dataset: Dataset, lang: Language) throws {
  guard dataset.file(name) == nil else { return }
  let hint = Dataset.missingFileHint(name, folder: dataset.folder)
  printError(lang.pick(
    "\(name): error: 此分析需要该文件，但数据集中没有" + (hint.map { "；" + $0.zh } ?? ""),
    "\(name): error: this analysis needs the file, and the dataset has none" + (hint.map { "; " + $0.en } ?? "")))
  throw ExitCode(1)
}

/// Reports the stages of long work on stderr when it is a terminal, and only those that
/// take more than 2 seconds (issue 14): a stage's name appears once it has run that long,
/// then its time, with a rate when the stage says how much it handles ("563 MB, 166 MB/s").
/// Silent when stderr is not a terminal (a file, a pipe, the tests), so that output stays
/// what the commands print.
final class StageReporter: @unchecked Sendable {
  let lang: Language
  let enabled: Bool
  /// Seconds a stage runs before it is shown (`CHUANDAO_PROGRESS_AFTER` overrides it).
  let after: Double
  private let lock = NSLock()
  private var stage: (text: String, start: Date, amount: Double?, unit: String?, shown: Bool)?
  private var timer: DispatchSourceTimer?

  init(lang: Language) {
    self.lang = lang
    self.enabled = isatty(STDERR_FILENO) != 0 && OutputCapture.current == nil
    self.after = ProcessInfo.processInfo.environment["CHUANDAO_PROGRESS_AFTER"].flatMap(Double.init) ?? 2
  }

  /// Starts a stage (ending the one before). `amount` in `unit` (e.g. megabytes, "MB")
  /// gives the rate at its end.
  func begin(_ zh: String, _ en: String, amount: Double? = nil, unit: String? = nil) {
    guard enabled else { return }
    end()
    let text = lang.pick(zh, en)
    lock.withLock { stage = (text, Date(), amount, unit, false) }
    if after <= 0 { return show() }
    let t = DispatchSource.makeTimerSource(queue: .global())
    t.schedule(deadline: .now() + after)
    t.setEventHandler { [weak self] in self?.show() }
    timer = t
    t.resume()
  }

  private func show() {
    lock.withLock {
      guard var s = stage, !s.shown else { return }
      s.shown = true
      stage = s
      FileHandle.standardError.write(Data("\(s.text) ...".utf8))
    }
  }

  func end() {
    guard enabled else { return }
    timer?.cancel()
    timer = nil
    lock.withLock {
      guard let s = stage else { return }
      stage = nil
      guard s.shown else { return }
      let seconds = Date().timeIntervalSince(s.start)
      var line = String(format: " %.1f s", seconds)
      if let amount = s.amount, let unit = s.unit, seconds > 0 {
        line += String(format: " (%.0f %@, %.0f %@/s)", amount, unit, amount / seconds, unit)
      }
      FileHandle.standardError.write(Data((line + "\n").utf8))
    }
  }
}

/// A command's discussion for `--help`: each prose paragraph joined into one line, so that
/// the argument parser wraps it to the terminal's width (hard line breaks made at another
/// width come out ragged); a paragraph with indented lines (examples) is kept as it is.
func helpText(_ text: String) -> String {
  text.components(separatedBy: "\n\n").map { paragraph in
    let lines = paragraph.components(separatedBy: "\n")
    if lines.contains(where: { $0.hasPrefix(" ") }) { return paragraph }
    let joined = lines.joined(separator: " ")
    return joined.unicodeScalars.contains { $0.value >= 0x2E80 } ? wrapWide(joined, width: 78) : joined
  }.joined(separator: "\n\n")
}

/// Chinese prose broken into lines of at most `width` display columns: the argument parser
/// wraps only at spaces, so a Chinese paragraph would run past the terminal. A line may
/// break between two wide characters or at a space, never inside a run of narrow ones
/// (`docs/methods.md`, `0.1%`), and never before closing punctuation (，。、；：）」).
func wrapWide(_ text: String, width: Int) -> String {
  func isWide(_ c: Character) -> Bool { c.unicodeScalars.first.map { $0.value >= 0x2E80 } ?? false }
  // Tokens: one wide character, a run of narrow non-space characters, or a space.
  var tokens: [String] = []
  for c in text {
    if let last = tokens.last?.last, !isWide(c), c != " ", last != " ", !isWide(last) {
      tokens[tokens.count - 1].append(c)
    } else {
      tokens.append(String(c))
    }
  }
  let closing: Set<String> = ["，", "。", "、", "；", "：", "）", "」", "》", "！", "？"]
  var lines: [String] = []
  var line = ""
  for token in tokens {
    let fits = displayWidth(line) + displayWidth(token) <= width
    if fits || line.isEmpty || closing.contains(token) {
      if !(line.isEmpty && token == " ") { line += token }
    } else {
      lines.append(line.trimmingCharacters(in: .whitespaces))
      line = token == " " ? "" : token
    }
  }
  lines.append(line.trimmingCharacters(in: .whitespaces))
  return lines.joined(separator: "\n")
}

/// This process's resident memory in bytes (Linux `/proc/self/statm`), or 0 where unknown.
func residentBytes() -> Int {
  guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
  let fields = text.split(separator: " ")
  guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
  return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
}
