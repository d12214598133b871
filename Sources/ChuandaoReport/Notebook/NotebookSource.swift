import Chuandao

/// A notebook: Markdown whose fenced ```` ```chuandao ```` blocks each hold one chuandao
/// command line, optionally after Quarto-style `#| key: value` lines. Each block's output
/// sits right after it between two comment lines,
///
///     <!-- chuandao:output -->
///     ...
///     <!-- chuandao:end -->
///
/// which a run replaces (or inserts) and `--check` compares with a fresh run. The markers
/// are HTML comments, so that the notebook reads as plain Markdown anywhere.
///
/// This type only reads and writes the text; running the commands is the CLI's.
public struct NotebookSource: Sendable {
  public static let outputStart = "<!-- chuandao:output -->"
  public static let outputEnd = "<!-- chuandao:end -->"

  /// The file's name as messages print it (`03-cold-and-hot.md`).
  public var file: String
  public var lines: [String]
  /// `title` and `lang` of a YAML front matter (`---` ... `---` on the first lines), when
  /// there is one; other keys are kept in the text and ignored.
  public var title: String?
  public var lang: Language?
  public var blocks: [Block]
  /// 0-based index of the first line after the front matter.
  var bodyStart = 0

  /// One ```` ```chuandao ```` block.
  public struct Block: Sendable {
    /// 1-based line of the opening fence.
    public var line: Int
    /// 0-based index of the closing fence in `lines`.
    var closeIndex: Int
    /// `#| key: value` options in order, with their 1-based lines.
    public var options: [(key: String, value: String, line: Int)]
    /// The command line, continuation lines (ending in `\`) joined.
    public var command: String
    /// 1-based line of the command.
    public var commandLine: Int
    /// The output already in the file (the lines between the markers) and the 0-based
    /// index of its start marker, when the block has one.
    public var oldOutput: [String]?
    var oldStart: Int?
    var oldEnd: Int?

    public func option(_ key: String) -> String? { options.last { $0.key == key }?.value }
    /// 1-based line of the first line of the old output (after the start marker).
    public var oldOutputLine: Int? { oldStart.map { $0 + 2 } }
  }

  /// A notebook that cannot be read as one: its 1-based line and what is wrong.
  public struct Problem: Error, Sendable {
    public var line: Int
    public var message: LocalizedText
  }

  public init(text: String, file: String) throws(Problem) {
    self.file = file
    var text = text
    if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
    lines = text.split(separator: "\n", omittingEmptySubsequences: false).map {
      $0.hasSuffix("\r") ? String($0.dropLast()) : String($0)
    }
    if lines.last == "" { lines.removeLast() }
    blocks = []
    var i = 0
    if lines.first == "---" {
      guard let end = lines.indices.dropFirst().first(where: { lines[$0] == "---" || lines[$0] == "..." }) else {
        throw Problem(line: 1, message: LocalizedText(zh: "文件开头的 YAML 前言没有以 --- 结束", en: "the YAML front matter at the top is not closed by ---"))
      }
      for n in 1..<end {
        let (key, value) = Self.keyValue(lines[n])
        switch key {
        case "title": title = value
        case "lang":
          guard let l = Language(rawValue: value) else {
            throw Problem(line: n + 1, message: LocalizedText(zh: "lang 应为 zh 或 en，而不是 '\(value)'", en: "lang must be zh or en, not '\(value)'"))
          }
          lang = l
        default: break
        }
      }
      i = end + 1
    }
    bodyStart = i
    while i < lines.count {
      guard let fence = Self.fence(lines[i]) else {
        if lines[i] == Self.outputStart {
          throw Problem(line: i + 1, message: LocalizedText(
            zh: "输出标记 \(Self.outputStart) 前面没有 chuandao 代码块", en: "the output marker \(Self.outputStart) does not follow a chuandao block"))
        }
        i += 1
        continue
      }
      // The closing fence: the same character, at least as long, nothing after it.
      var close = i + 1
      while close < lines.count && !Self.closes(lines[close], fence) { close += 1 }
      guard fence.info == "chuandao" || fence.info == "{chuandao}" else {
        i = close + 1
        continue
      }
      guard close < lines.count else {
        throw Problem(line: i + 1, message: LocalizedText(zh: "chuandao 代码块没有结束的 \(fence.marker)", en: "the chuandao block has no closing \(fence.marker)"))
      }
      var block = try Self.block(lines, open: i, close: close)
      // Its output: after blank lines, between the markers.
      var j = close + 1
      while j < lines.count && lines[j].trimmingCharacters(in: .whitespaces).isEmpty { j += 1 }
      if j < lines.count && lines[j] == Self.outputStart {
        guard let end = lines.indices.dropFirst(j + 1).first(where: { lines[$0] == Self.outputEnd }) else {
          throw Problem(line: j + 1, message: LocalizedText(zh: "输出没有以 \(Self.outputEnd) 结束", en: "the output is not closed by \(Self.outputEnd)"))
        }
        block.oldOutput = Array(lines[(j + 1)..<end])
        block.oldStart = j
        block.oldEnd = end
        i = end + 1
      } else {
        i = close + 1
      }
      blocks.append(block)
    }
  }

  static func keyValue(_ line: String) -> (String, String) {
    guard let colon = line.firstIndex(of: ":") else { return (line.trimmingCharacters(in: .whitespaces), "") }
    let key = line[..<colon].trimmingCharacters(in: .whitespaces)
    var value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
    if value.count >= 2, let q = value.first, q == "\"" || q == "'", value.last == q {
      value = String(value.dropFirst().dropLast())
    }
    return (key, value)
  }

  struct Fence {
    var character: Character
    var length: Int
    var info: String
    var marker: String { String(repeating: character, count: length) }
  }

  /// An opening code fence: up to three spaces, then three or more backticks or tildes,
  /// then the info string (a backtick fence's info holds no backtick).
  static func fence(_ line: String) -> Fence? {
    let indent = line.prefix { $0 == " " }.count
    guard indent <= 3 else { return nil }
    let rest = line.dropFirst(indent)
    guard let c = rest.first, c == "`" || c == "~" else { return nil }
    let n = rest.prefix { $0 == c }.count
    guard n >= 3 else { return nil }
    let info = rest.dropFirst(n).trimmingCharacters(in: .whitespaces)
    if c == "`" && info.contains("`") { return nil }
    return Fence(character: c, length: n, info: info)
  }

  static func closes(_ line: String, _ fence: Fence) -> Bool {
    let trimmed = line.trimmingCharacters(in: .whitespaces)
    return trimmed.count >= fence.length && trimmed.allSatisfy { $0 == fence.character }
      && line.prefix { $0 == " " }.count <= 3
  }

  static func block(_ lines: [String], open: Int, close: Int) throws(Problem) -> Block {
    var options: [(key: String, value: String, line: Int)] = []
    var command = ""
    var commandLine = 0
    var n = open + 1
    while n < close {
      let line = lines[n].trimmingCharacters(in: .whitespaces)
      if line.hasPrefix("#|") {
        guard command.isEmpty else {
          throw Problem(line: n + 1, message: LocalizedText(zh: "#| 选项应写在命令之前", en: "#| options go before the command"))
        }
        let (key, value) = keyValue(String(line.dropFirst(2)))
        options.append((key, value, n + 1))
      } else if !line.isEmpty {
        guard command.isEmpty || command.hasSuffix("\\") else {
          throw Problem(line: n + 1, message: LocalizedText(
            zh: "一个代码块只能有一条命令（续行请在行末写 \\）", en: "a block holds one command (end a line with \\ to continue it)"))
        }
        if command.isEmpty {
          commandLine = n + 1
          command = line
        } else {
          command = String(command.dropLast()).trimmingCharacters(in: .whitespaces) + " " + line
        }
      }
      n += 1
    }
    if command.hasSuffix("\\") { command = String(command.dropLast()).trimmingCharacters(in: .whitespaces) }
    guard !command.isEmpty else {
      throw Problem(line: open + 1, message: LocalizedText(zh: "chuandao 代码块中没有命令", en: "the chuandao block holds no command"))
    }
    return Block(
      line: open + 1, closeIndex: close, options: options, command: command, commandLine: commandLine,
      oldOutput: nil, oldStart: nil, oldEnd: nil)
  }

  /// The notebook with each block's output (one array of lines per block, in order) in
  /// place of the old: one blank line after the block, then the markers around the output.
  public func assembled(outputs: [[String]]) -> String {
    precondition(outputs.count == blocks.count, "NotebookSource.assembled: one output per block")
    var out: [String] = []
    var i = 0
    for (block, output) in zip(blocks, outputs) {
      out += lines[i...block.closeIndex]
      out.append("")
      out.append(Self.outputStart)
      out += output
      out.append(Self.outputEnd)
      i = (block.oldEnd ?? block.closeIndex) + 1
    }
    if i < lines.count { out += lines[i...] }
    return out.joined(separator: "\n") + "\n"
  }

  /// The notebook as a page shows it: the prose between the blocks (no front matter), each
  /// block as its command alone (its `#|` options are for the runner), and each output.
  public enum PagePart: Sendable, Equatable {
    case prose(String)
    case command(String)
    case output([String])
  }

  public func pageParts(outputs: [[String]]) -> [PagePart] {
    precondition(outputs.count == blocks.count, "NotebookSource.pageParts: one output per block")
    var parts: [PagePart] = []
    var i = bodyStart
    for (block, output) in zip(blocks, outputs) {
      let open = block.line - 1
      if open > i { parts.append(.prose(lines[i..<open].joined(separator: "\n"))) }
      parts.append(.command(block.command))
      parts.append(.output(output))
      i = (block.oldEnd ?? block.closeIndex) + 1
    }
    if i < lines.count { parts.append(.prose(lines[i...].joined(separator: "\n"))) }
    return parts
  }

  /// Splits a command line into words as a POSIX shell would quote them ('...', "...",
  /// backslash), with nothing expanded. Shell operators (`|`, `>`, `;`, `&`, `$(`, `` ` ``)
  /// outside quotes are refused: a block runs one chuandao command, never a shell.
  public static func words(_ command: String) throws(WordsProblem) -> [String] {
    var words: [String] = []
    var word = ""
    var inWord = false
    var quote: Character? = nil
    var chars = command.makeIterator()
    while let c = chars.next() {
      if let q = quote {
        if c == q {
          quote = nil
        } else if c == "\\" && q == "\"", let n = chars.next() {
          if n != "\"" && n != "\\" && n != "$" && n != "`" { word.append("\\") }
          word.append(n)
        } else {
          word.append(c)
        }
        continue
      }
      switch c {
      case " ", "\t":
        if inWord { words.append(word) }
        word = ""
        inWord = false
      case "'", "\"":
        quote = c
        inWord = true
      case "\\":
        if let n = chars.next() { word.append(n) }
        inWord = true
      case "|", ">", "<", ";", "&", "`", "$", "(", ")":
        throw WordsProblem(message: LocalizedText(
          zh: "命令中有 shell 符号 '\(c)'：代码块只运行一条 chuandao 命令，不经过 shell（需要时请加引号）",
          en: "the command has the shell character '\(c)': a block runs one chuandao command, never a shell (quote it if it is meant literally)"))
      default:
        word.append(c)
        inWord = true
      }
    }
    if quote != nil {
      throw WordsProblem(message: LocalizedText(zh: "引号没有闭合", en: "a quote is not closed"))
    }
    if inWord { words.append(word) }
    return words
  }

  /// A command line that cannot be split into words, and why.
  public struct WordsProblem: Error, Sendable {
    public var message: LocalizedText
  }

  /// The first line where `fresh` differs from the block's output in the file, as the
  /// 1-based line in the notebook and the two lines (nil past an end). Provenance times
  /// (`"generated_at": "..."`) are not compared.
  public func firstDifference(block: Block, fresh: [String]) -> (line: Int, old: String?, new: String?)? {
    guard let old = block.oldOutput, let first = block.oldOutputLine else { return (block.line, nil, fresh.first) }
    for n in 0..<max(old.count, fresh.count) {
      let a = n < old.count ? old[n] : nil
      let b = n < fresh.count ? fresh[n] : nil
      if a.map(Self.masked) != b.map(Self.masked) { return (first + n, a, b) }
    }
    return nil
  }

  static func masked(_ line: String) -> String {
    guard let r = line.range(of: "\"generated_at\": \"") else { return line }
    guard let end = line[r.upperBound...].firstIndex(of: "\"") else { return line }
    return String(line[..<r.upperBound]) + "…" + String(line[end...])
  }
}
