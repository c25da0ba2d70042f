// Command foresight runs Foresight's environments and agents from the command line.
//
// Usage:
//
//	foresight <command> [flags]
//
// The commands are:
//
//	watch         open the live viewer on an agent learning
//	demo          run a random agent on every environment and save a frame of each
//	envs          list the environments: spaces, timing, success rule, parameters
//	run           roll out an agent headless and report returns and success
//	train         train an agent online until competence or a budget of simulated experience
//	record        record episodes of an agent as an animated GIF
//	bench         run an hours-to-competence benchmark sweep
//	bench merge   merge the directories of a sweep's shards
//	bench report  render a sweep's summary again from its results
//	frame         render one frame of an environment to a PNG file
//
// Run "foresight <command> -h" for a command's flags. Errors are reported as one line on
// standard error; the exit status is 0 on success, 1 when a command fails, 2 for a bad command
// line and 3 for an internal error.
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"unicode/utf8"
)

// command is one subcommand of foresight.
type command struct {
	name    string
	args    string // synopsis of the flags, for the usage line
	summary string // one line, for the command list
	// setup defines the command's flags on fs and returns the function that runs the command,
	// writing its results to stdout, once they are parsed.
	setup func(fs *flag.FlagSet) action
	// operands, when not empty, says that the command takes arguments after its flags, which
	// its action reads with fs.Args().
	operands bool
}

// action runs a command whose flags are parsed: results go to stdout, progress to stderr.
type action func(stdout, stderr io.Writer) error

// commands lists the subcommands in the order help shows them.
var commands = []command{watchCommand, demoCommand, lessonCommand, webCommand, envsCommand, runCommand, trainCommand, recordCommand,
	benchCommand, benchMergeCommand, benchReportCommand, frameCommand}

// Exit statuses.
const (
	exitOK       = 0
	exitFailure  = 1 // the command failed
	exitUsage    = 2 // the command line was wrong
	exitInternal = 3 // a bug: an unexpected panic
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

// run executes the command line args and returns the exit status. Results go to stdout; an
// error goes to stderr as one line.
func run(args []string, stdout, stderr io.Writer) (code int) {
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(stderr, "foresight: internal error: %s\n", oneLine(fmt.Sprint(r)))
			code = exitInternal
		}
	}()
	if len(args) == 0 || isHelp(args[0]) {
		return help(args, stdout, stderr)
	}
	if len(args) > 1 {
		if cmd, ok := lookup(args[0] + " " + args[1]); ok {
			return report(stderr, "foresight "+cmd.name, cmd.execute(args[2:], stdout, stderr))
		}
	}
	cmd, ok := lookup(args[0])
	if !ok {
		return report(stderr, "foresight", usagef("unknown command %.40q (known: %s; see foresight help)", args[0], strings.Join(names(), ", ")))
	}
	return report(stderr, "foresight "+cmd.name, cmd.execute(args[1:], stdout, stderr))
}

// execute parses args as the command's flags and runs it.
func (c command) execute(args []string, stdout, stderr io.Writer) error {
	fs, runCmd := c.flags()
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			c.usage(stdout)
			return nil
		}
		return usagef("%v (see foresight %s -h)", err, c.name)
	}
	if fs.NArg() > 0 && !c.operands {
		return usagef("unexpected argument %.40q (see foresight %s -h)", fs.Arg(0), c.name)
	}
	return runCmd(stdout, stderr)
}

// flags returns a fresh flag set for the command, silent so that errors are reported as one
// line, and the function that runs the command.
func (c command) flags() (*flag.FlagSet, action) {
	fs := flag.NewFlagSet("foresight "+c.name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return fs, c.setup(fs)
}

// usage writes the command's usage and flags to w.
func (c command) usage(w io.Writer) {
	fs, _ := c.flags()
	fmt.Fprintf(w, "usage: foresight %s %s\n\n%s.\n\nflags:\n", c.name, c.args, capitalise(c.summary))
	fs.SetOutput(w)
	fs.PrintDefaults()
}

// help prints the list of commands, or one command's usage for "help CMD".
func help(args []string, stdout, stderr io.Writer) int {
	if len(args) > 1 {
		name := strings.Join(args[1:], " ")
		cmd, ok := lookup(name)
		if !ok {
			return report(stderr, "foresight help", usagef("unknown command %.40q (known: %s)", name, strings.Join(names(), ", ")))
		}
		cmd.usage(stdout)
		return exitOK
	}
	var b bytes.Buffer
	b.WriteString("Foresight: simulated robots that learn a world model online and plan with it.\n\n")
	b.WriteString("usage: foresight <command> [flags]\n\ncommands:\n")
	for _, c := range commands {
		fmt.Fprintf(&b, "  %-12s  %s\n", c.name, c.summary)
	}
	b.WriteString("\nRun 'foresight <command> -h' for a command's flags.\n")
	stdout.Write(b.Bytes())
	return exitOK
}

func isHelp(arg string) bool {
	return arg == "help" || arg == "-h" || arg == "-help" || arg == "--help"
}

func lookup(name string) (command, bool) {
	for _, c := range commands {
		if c.name == name {
			return c, true
		}
	}
	return command{}, false
}

func names() []string {
	ns := make([]string, len(commands))
	for i, c := range commands {
		ns[i] = c.name
	}
	return ns
}

// usageError marks an error in the command line.
type usageError struct{ error }

// usagef returns a usageError with the formatted message.
func usagef(format string, args ...any) error {
	return usageError{fmt.Errorf(format, args...)}
}

// internalError marks an error that is a bug, in foresight or a program it ran.
type internalError struct{ error }

// reportedError is the failure of a program foresight ran, which has already said what went
// wrong on standard error; it carries that program's exit status.
type reportedError struct{ code int }

func (e reportedError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

// report writes err, if any, as one line prefixed with prog and returns the exit status.
func report(stderr io.Writer, prog string, err error) int {
	if err == nil {
		return exitOK
	}
	if r, ok := errors.AsType[reportedError](err); ok {
		return r.code
	}
	fmt.Fprintf(stderr, "%s: %s\n", prog, oneLine(err.Error()))
	switch {
	case errors.As(err, new(usageError)):
		return exitUsage
	case errors.As(err, new(internalError)):
		return exitInternal
	}
	return exitFailure
}

// maxMessage bounds an error message in bytes, so that a huge argument echoed in it (the
// flag package quotes a bad value whole) cannot flood the terminal.
const maxMessage = 1000

// oneLine joins the lines of a message with "; " and cuts it to maxMessage bytes, at a
// character boundary, marking the cut with "…".
func oneLine(s string) string {
	s = strings.ReplaceAll(strings.TrimSpace(s), "\n", "; ")
	if len(s) <= maxMessage {
		return s
	}
	cut := maxMessage
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

func capitalise(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
