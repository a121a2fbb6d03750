package view

import (
	"errors"
	"html/template"
	"io"
	"strconv"
	"strings"
	"text/template/parse"
)

// Templates translate with {{.T "key"}}: html/template finds the method by reflection and calls
// it, variadic arguments and all, a few microseconds each time, on every page and for every
// label. The answer depends on the language only, so each page's templates are also kept in a
// copy per language in which these calls, and {{static "file"}}, are already answered: their
// actions hold the text as a constant, which html/template still escapes for its context. Only
// the page's content, head and fragment are rewritten, where both dot (outside range and with) and $ are
// the page, whose T is Base's; partials may be called with other data.

// pageTrees are the templates of a page whose dot and $ are the page itself.
var pageTrees = []string{"content", "head", "fragment"}

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

// html/template escapes every action when a template is first executed, by appending its
// escaper functions to the action's pipeline: {{"已保存"}} becomes {{"已保存" |
// _html_template_htmlescaper}}, still a call by reflection on every request although its
// answer never changes. Once the page's templates are escaped (prepare runs them once, before
// any request), foldConstants replaces such actions on a literal string, in the contexts whose
// escaping it knows (text, quoted attribute values, title and textarea text), by their
// escaped text. An escaper it does not know leaves the action alone, and so would a future
// html/template naming its escapers otherwise: the page would only render as before, slower
// (TestFoldConstants notices).

// textEscapers are html/template's escapers of text, quoted attribute values and RCDATA, which
// all escape the same characters the same way.
var textEscapers = map[string]bool{
	"_html_template_htmlescaper":   true,
	"_html_template_attrescaper":   true,
	"_html_template_rcdataescaper": true,
}

// escapeText escapes s as textEscapers do.
var escapeText = strings.NewReplacer("\x00", "\uFFFD", `"`, "&#34;", "&", "&amp;", "'", "&#39;", "+", "&#43;", "<", "&lt;", ">", "&gt;").Replace

// prepare escapes the page's entry templates by executing each once without data (the
// execution's own errors, from the missing data, are expected; an escaping error is the
// template's) and folds their constants.
func prepare(t *template.Template) error {
	for _, name := range pageTrees {
		x := t.Lookup(name)
		if x == nil {
			continue
		}
		var escErr *template.Error
		if err := x.Execute(io.Discard, nil); errors.As(err, &escErr) {
			return err
		}
	}
	for _, x := range t.Templates() {
		if x.Tree != nil {
			foldConstants(x.Tree.Root)
		}
	}
	return nil
}

// foldConstants replaces, in the escaped list n and the lists under it, each action that
// writes a literal string through text escapers by the escaped text.
func foldConstants(n parse.Node) {
	switch n := n.(type) {
	case *parse.ListNode:
		if n == nil {
			return
		}
		for i, x := range n.Nodes {
			if a, ok := x.(*parse.ActionNode); ok {
				if s, ok := escapedConstant(a.Pipe); ok {
					n.Nodes[i] = &parse.TextNode{NodeType: parse.NodeText, Pos: a.Pos, Text: []byte(s)}
				}
				continue
			}
			foldConstants(x)
		}
	case *parse.IfNode:
		foldConstants(n.List)
		foldConstants(n.ElseList)
	case *parse.RangeNode:
		foldConstants(n.List)
		foldConstants(n.ElseList)
	case *parse.WithNode:
		foldConstants(n.List)
		foldConstants(n.ElseList)
	}
}

// escapedConstant returns what the pipeline writes when it is a literal string followed by
// text escapers only.
func escapedConstant(p *parse.PipeNode) (string, bool) {
	if p == nil || len(p.Decl) > 0 || len(p.Cmds) < 2 || len(p.Cmds[0].Args) != 1 {
		return "", false
	}
	lit, ok := p.Cmds[0].Args[0].(*parse.StringNode)
	if !ok {
		return "", false
	}
	s := lit.Text
	for _, c := range p.Cmds[1:] {
		id, ok := c.Args[0].(*parse.IdentifierNode)
		if len(c.Args) != 1 || !ok || !textEscapers[id.Ident] {
			return "", false
		}
		s = escapeText(s)
	}
	return s, true
}
