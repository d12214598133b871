import ArgumentParser
import Chuandao
import Foundation

/// The language of `--help`: `--lang zh|en` (or `--lang=zh`) on the command line when given,
/// else Chinese when the environment's LC_ALL or LANG starts with `zh`, else English. The
/// argument parser prints help before it reads `--lang`, so the command line is read here.
let helpLanguage: Language = {
  let args = CommandLine.arguments
  for (i, arg) in args.enumerated() {
    if arg == "--lang", i + 1 < args.count, let l = Language(rawValue: args[i + 1]) { return l }
    if arg.hasPrefix("--lang="), let l = Language(rawValue: String(arg.dropFirst(7))) { return l }
  }
  let env = ProcessInfo.processInfo.environment
  let locale = env["LC_ALL"].flatMap { $0.isEmpty ? nil : $0 } ?? env["LANG"] ?? ""
  return locale.hasPrefix("zh") ? .zh : .en
}()

/// A help text in the language of `helpLanguage`.
func help(_ zh: String, _ en: String) -> String { helpLanguage == .zh ? zh : en }

/// An option's help in the language of `helpLanguage`.
func optionHelp(_ zh: String, _ en: String) -> ArgumentHelp { ArgumentHelp(help(zh, en)) }
