import React, { useState } from "react";
import { Button as UiButton } from "./components/button";
import type { Todo } from "../types";

export interface TodoListProps {
  todos: Todo[];
  onToggle: (id: number) => void;
}

export class ErrorBoundary extends React.Component<{}, { failed: boolean }> {
  render() {
    if (this.state.failed) {
      return <p className="error">Something went wrong.</p>;
    }
    return this.props.children;
  }
}

export function TodoList({ todos, onToggle }: TodoListProps) {
  const [filter, setFilter] = useState<string>("");
  const visible = todos.filter((todo) => todo.title.includes(filter));
  for (const todo of visible) {
    console.debug(todo.id);
  }
  return (
    <ul>
      {visible.map((todo) => (
        <li key={todo.id} onClick={() => onToggle(todo.id)}>
          {todo.title}
        </li>
      ))}
      <UiButton onClick={() => setFilter("")}>Clear</UiButton>
    </ul>
  );
}

const useToggle = (initial: boolean) => {
  const [on, setOn] = useState(initial);
  return [on, () => setOn(!on)] as const;
};
