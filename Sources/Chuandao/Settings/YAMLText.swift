import Yams

/// What the toolkit's YAML files (dataset.yaml, settings) may hold, checked before Yams
/// composes them, and Yams' errors as one line with the line number they name.
enum YAMLText {
  /// A YAML text that cannot be used: the line it names, when it names one, and what is
  /// wrong, in both languages.
  struct Problem: Error {
    var line: Int?
    var message: LocalizedText
  }

  /// The text composed by Yams, after refusing anchors and aliases: the one way the
  /// toolkit's YAML files (dataset.yaml, settings) are read. nil for an empty text.
  static func compose(_ text: String) throws(Problem) -> Node? {
    if let (line, token) = firstAnchorOrAlias(text) {
      throw Problem(line: line, message: LocalizedText(
        zh: "不允许使用 YAML 锚点和别名（\(token)）：请把值直接写出",
        en: "YAML anchors and aliases are not allowed (\(token)): write the value out"))
    }
    do {
      return try Yams.compose(yaml: text)
    } catch let error as YamlError {
      let (line, message) = describe(error, in: text)
      throw Problem(line: line, message: LocalizedText(zh: "不是有效的 YAML：\(message)", en: "not valid YAML: \(message)"))
    } catch {
      throw Problem(line: nil, message: LocalizedText(zh: "不是有效的 YAML：\(error)", en: "not valid YAML: \(error)"))
    }
  }

  /// The first anchor (`&name`) or alias (`*name`) outside quotes and comments, with its
  /// 1-based line. Neither file needs them, and an alias can expand a few hundred bytes
  /// into billions of nodes ("billion laughs"): Yams' duplicate-key check walks such an
  /// expansion for minutes. So they are refused before Yams sees the text.
  static func firstAnchorOrAlias(_ text: String) -> (line: Int, token: String)? {
    for (n, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
      var quote: Character? = nil
      var previous: Character = " "
      var chars = Array(line)
      var i = 0
      while i < chars.count {
        let c = chars[i]
        if let q = quote {
          if c == q { quote = nil }
        } else if c == "\"" || c == "'" {
          quote = c
        } else if c == "#" && (previous == " " || previous == "\t" || i == 0) {
          break
        } else if (c == "&" || c == "*") && " \t[{,:-".contains(previous) && i + 1 < chars.count
          && (chars[i + 1].isLetter || chars[i + 1].isNumber || chars[i + 1] == "_")
        {
          var j = i + 1
          while j < chars.count && !" \t,]}".contains(chars[j]) { j += 1 }
          return (n + 1, String(chars[i..<j]))
        }
        previous = c
        i += 1
      }
      chars.removeAll()
    }
    return nil
  }

  /// A Yams error as one line (its message without the quoted source and caret) and the
  /// 1-based line it names, when it names one. A duplicated key names the line of its
  /// second occurrence, found in `text`.
  static func describe(_ error: YamlError, in text: String) -> (line: Int?, message: String) {
    switch error {
    case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
      .composer(let context, let problem, let mark, _):
      let where_ = context.map { "\($0.text), " } ?? ""
      return (mark.line, where_ + problem)
    case .duplicatedKeysInMapping(let duplicates, let context):
      let keys = duplicates.map { "'\($0)'" }.joined(separator: ", ")
      return (secondOccurrence(of: duplicates.first ?? "", in: text) ?? context.mark.line,
        "the key \(keys) appears more than once in one mapping")
    default:
      return (nil, "\(error)".split(separator: "\n").first.map(String.init) ?? "\(error)")
    }
  }

  /// The line of the second `key:` at the start of a line (after indentation), if any.
  private static func secondOccurrence(of key: String, in text: String) -> Int? {
    var seen = 0
    for (n, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
      let trimmed = line.drop { $0 == " " || $0 == "\t" }
      for form in [key, "\"\(key)\"", "'\(key)'"] where trimmed.hasPrefix(form + ":") {
        seen += 1
        if seen == 2 { return n + 1 }
      }
    }
    return nil
  }
}
