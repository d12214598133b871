import Foundation
import Testing

/// `--format markdown` and `--format html` of every command that describes its result as a
/// document, on the sample: real tables (no text laid out in advance inside a code block),
/// everything from the data escaped, and the words in the language asked for.
@Suite("Markdown and HTML of every analysis and compare")
struct FormatTests {
  static let commands: [[String]] = [
    ["summary"], ["attenuation"], ["imbalance"], ["coordination"], ["closure"], ["trend"], ["assess"],
    ["compare", "--from", "2024", "--to", "2025"],
  ]

  static func run(_ command: [String], _ format: String, _ lang: String) throws -> String {
    let args = [command[0], CLI.sample] + command.dropFirst() + ["--format", format, "--lang", lang]
    let r = try CLI.run(args)
    #expect(r.status == 0, "\(args): \(r.stderr)")
    return r.out
  }

  /// Whether `s` has a Chinese character (CJK Unified Ideographs).
  static func hasHan(_ s: some StringProtocol) -> Bool {
    s.unicodeScalars.contains { (0x4E00...0x9FFF).contains($0.value) }
  }

  @Test("Markdown: pipe tables, no code block, the language asked for", arguments: commands)
  func markdown(_ command: [String]) throws {
    for lang in ["zh", "en"] {
      let out = try Self.run(command, "markdown", lang)
      let lines = out.components(separatedBy: "\n")
      // A header line followed by its delimiter row: `| a | b |` then `|---|---:|`.
      let tables = lines.indices.dropLast().filter { n in
        lines[n].hasPrefix("| ") && lines[n].hasSuffix(" |")
          && lines[n + 1].range(of: #"^\|(---:?\|)+$"#, options: .regularExpression) != nil
      }
      #expect(!tables.isEmpty, "\(command) \(lang): no pipe table")
      #expect(!out.contains("```"), "\(command) \(lang): a code fence")
      #expect(!out.contains("<pre"), "\(command) \(lang): <pre>")
      // The first line is the command's own sentence or heading, never a name from the data.
      let first = try #require(lines.first { !$0.isEmpty })
      #expect(Self.hasHan(first) == (lang == "zh"), "\(command) \(lang): \(first)")
    }
  }

  @Test("HTML: tables, every cell escaped, the language asked for", arguments: commands)
  func html(_ command: [String]) throws {
    for lang in ["zh", "en"] {
      let out = try Self.run(command, "html", lang)
      #expect(out.contains("<table>"), "\(command) \(lang): no <table>")
      #expect(!out.contains("<pre"), "\(command) \(lang): <pre>")
      // The text of every cell, heading and paragraph: no raw `<`, `>` or `"`, and every
      // `&` starts one of the four entities the renderer writes.
      let element = try Regex(#"<(td|th|p|h[1-6])( class="[a-z ]+")?>(.*?)</\1>"#)
      var texts = 0
      for match in out.matches(of: element) {
        let text = String(match.output[3].substring ?? "")
        texts += 1
        #expect(!text.contains("<") && !text.contains(">") && !text.contains("\""), "\(command) \(lang): \(text)")
        let bare = text.replacing(try Regex("&(amp|lt|gt|quot);"), with: "")
        #expect(!bare.contains("&"), "\(command) \(lang): \(text)")
      }
      #expect(texts > 0)
      // Nothing but the renderer's own tags: with them taken out, no `<` or `>` is left.
      let tags = try Regex(#"</?(section|h[1-6]|p|table|thead|tbody|tr|th|td)( class="[a-z ]+")?>"#)
      let rest = out.replacing(tags, with: "")
      #expect(!rest.contains("<") && !rest.contains(">"), "\(command) \(lang): a tag not the renderer's")
      let first = try #require(out.firstMatch(of: try Regex(#"<(p|h[1-6])>(.*?)</\1>"#)))
      let sentence = String(first.output[2].substring ?? "")
      #expect(Self.hasHan(sentence) == (lang == "zh"), "\(command) \(lang): \(sentence)")
    }
  }

  @Test("the sample's name with quotes comes out escaped in HTML, whole in Markdown")
  func quotedName() throws {
    let html = try Self.run(["trend"], "html", "zh")
    #expect(html.contains("水文总站（&quot;四责协同&quot;试点, 一岗双责）"))
    let markdown = try Self.run(["trend"], "markdown", "zh")
    #expect(markdown.contains("水文总站（\"四责协同\"试点, 一岗双责）"))
  }
}
