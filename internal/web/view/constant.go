package view

import (
	"html/template"
	"strconv"
	"text/template/parse"
)

// Templates translate with {{.T "key"}}: html/template finds the method by reflection and calls
// it, variadic arguments and all, a few microseconds each time, on every page and for every
// label. The answer depends on the language only, so each page's templates are also kept in a
// copy per language in which these calls, and {{static "file"}}, are already answered: their
// actions hold the text as a constant, which html/template still escapes for its context. Only
// the layout and the page's content are rewritten, where both dot (outside range and with) and
// $ are the page, whose T is Base's; partials may be called with other data.

// pageTrees are the templates of a page whose dot and $ are the page itself.
var pageTrees = []string{"layout.html", "content"}

// answerConstants rewrites the page trees of t, a clone not yet executed, for tr.
func answerConstants(t *template.Template, tr *Translator, static func(string) string) {
	for _, name := range pageTrees {
		if x := t.Lookup(name); x != nil && x.Tree != nil {
			c := constants{tr: tr, static: static}
			c.node(x.Tree.Root, true)
		}
	}
}

// constants answers the calls of one tree.
type constants struct {
	tr     *Translator
	static func(string) string
}

// node rewrites n; page reports whether dot is the page there.
func (c constants) node(n parse.Node, page bool) {
	switch n := n.(type) {
	case *parse.ListNode:
		if n == nil {
			return
		}
		for _, x := range n.Nodes {
			c.node(x, page)
		}
	case *parse.ActionNode:
		c.pipe(n.Pipe, page)
	case *parse.TemplateNode:
		c.pipe(n.Pipe, page)
	case *parse.IfNode:
		c.pipe(n.Pipe, page)
		c.node(n.List, page)
		c.node(n.ElseList, page)
	case *parse.RangeNode:
		// The body's dot is an element; else runs with dot unchanged.
		c.pipe(n.Pipe, page)
		c.node(n.List, false)
		c.node(n.ElseList, page)
	case *parse.WithNode:
		c.pipe(n.Pipe, page)
		c.node(n.List, false)
		c.node(n.ElseList, page)
	}
}

func (c constants) pipe(p *parse.PipeNode, page bool) {
	if p == nil {
		return
	}
	for _, cmd := range p.Cmds {
		c.command(cmd, page)
	}
}

// command replaces {{.T "key"}}, {{$.T "key"}} and {{static "file"}} by their answer; it
// looks into parenthesized pipelines among the arguments of any other command.
func (c constants) command(cmd *parse.CommandNode, page bool) {
	if len(cmd.Args) == 2 {
		if key, ok := cmd.Args[1].(*parse.StringNode); ok {
			if answer, ok := c.answer(cmd.Args[0], key.Text, page); ok {
				key.Text, key.Quoted = answer, strconv.Quote(answer)
				cmd.Args = []parse.Node{key}
				return
			}
		}
	}
	for _, a := range cmd.Args {
		if p, ok := a.(*parse.PipeNode); ok {
			c.pipe(p, page)
		}
	}
}

// answer returns what fn, called with the one literal argument arg, answers, when it is the
// page's T or the static function.
func (c constants) answer(fn parse.Node, arg string, page bool) (string, bool) {
	switch fn := fn.(type) {
	case *parse.FieldNode:
		if page && len(fn.Ident) == 1 && fn.Ident[0] == "T" {
			return c.tr.T(arg), true
		}
	case *parse.VariableNode:
		if len(fn.Ident) == 2 && fn.Ident[0] == "$" && fn.Ident[1] == "T" {
			return c.tr.T(arg), true
		}
	case *parse.IdentifierNode:
		if fn.Ident == "static" && c.static != nil {
			return c.static(arg), true
		}
	}
	return "", false
}
