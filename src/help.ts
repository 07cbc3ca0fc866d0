// ppctl's help: oclif's, with "Start here" lines under the root help for someone who has not set anything up yet,
// and every line fitted to the terminal's width.
import {Help} from '@oclif/core'

// Under 80 columns, so it never wraps in a default terminal.
const START_HERE = `START HERE
  Try it on this machine   ppctl sandbox start && ppctl auth login
  Your own platform        ppctl auth login --help   (a profile in one command)
  Where you are            ppctl auth status; ppctl route show
  Help on a command        ppctl help <command>   (or <command> --help)`

export default class PpctlHelp extends Help {
  protected override async showRootHelp(): Promise<void> {
    await super.showRootHelp()
    this.log(`\n${START_HERE}\n`)
  }

  /**
   * oclif wraps the sections it indents, but prints a summary or a topic's first line as it is: such a line, wider
   * than the terminal, is wrapped here at word boundaries (indented lines are oclif's layout and left alone).
   */
  protected override log(...args: string[]): void {
    const width = this.opts.maxWidth
    const fitted = args.map((arg) =>
      arg
        .split('\n')
        .map((line) => (/^\S/.test(line) && line.length > width ? this.wrap(line, 0) : line))
        .join('\n'),
    )
    super.log(...fitted)
  }
}
