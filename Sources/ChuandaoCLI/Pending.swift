import ArgumentParser
import Chuandao

/// Says plainly that a command is not built yet and exits 1: never a made-up result.
func notBuiltYet(_ name: String, issue: Int? = nil, lang: Language) throws -> Never {
  let zhRef = issue.map { "（见 issue #\($0)）" } ?? ""
  let enRef = issue.map { " (issue #\($0))" } ?? ""
  printError(lang.pick(
    "`chuandao \(name)` 尚未实现\(zhRef)；没有计算任何结果。",
    "`chuandao \(name)` is not built yet\(enRef); nothing was computed."))
  throw ExitCode(1)
}

struct Notebook: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Run analyses written as Markdown notebooks.",
    subcommands: [Run.self])

  struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Execute a Markdown notebook (not built yet).",
      discussion: "Example:\n  chuandao notebook run notebooks-md/attenuation.md --out /tmp/nb")
    @Argument(help: "The notebook (.md).") var notebook: String
    @Option(help: "Output folder.") var out: String
    @Option(help: "Language: zh or en.") var lang: Language = .zh
    func run() throws { try notBuiltYet("notebook run", lang: lang) }
  }
}
