// What each row of the Memories tree says. Pure (no vscode import) so it is unit-tested;
// memoryTree.ts turns these views into TreeItems.
import { locationText, memoryTooltipMarkdown } from '../markdown';
import type { GroupBy, MemoryGroup, MemoryItem } from '../protocol';

export interface MemoryRowView {
  label: string;
  description: string;
  tooltipMarkdown: string;
  /** Drives the context menu: Pin shows on `memory`, Unpin on `memory.pinned`. */
  contextValue: 'memory' | 'memory.pinned';
  icon: string;
  /** Where a click goes; undefined for a memory without a place. */
  location?: { uri: string; line: number };
}

export interface GroupRowView {
  label: string;
  description: string;
  icon: string;
}

export function memoryRowView(memory: MemoryItem): MemoryRowView {
  const where = locationText(memory);
  return {
    label: memory.label || memory.gist,
    description: [memory.age, where].filter(Boolean).join(' · '),
    tooltipMarkdown: memoryTooltipMarkdown(memory),
    contextValue: memory.pinned ? 'memory.pinned' : 'memory',
    icon: memoryIcon(memory),
    location: memory.uri ? { uri: memory.uri, line: memory.line ?? 0 } : undefined,
  };
}

export function groupRowView(group: MemoryGroup, groupBy: GroupBy): GroupRowView {
  return { label: group.label, description: String(group.count), icon: GROUP_ICONS[groupBy] };
}

export const GroupByLabels: Record<GroupBy, string> = {
  file: 'File',
  salience: 'Salience',
  recent: 'Recent',
  pinned: 'Pinned',
};

const GROUP_ICONS: Record<GroupBy, string> = {
  file: 'file',
  salience: 'flame',
  recent: 'calendar',
  pinned: 'pinned',
};

function memoryIcon(memory: MemoryItem): string {
  if (memory.pinned) {
    return 'pinned';
  }
  if (memory.eventType.includes('error') || memory.eventType.includes('fix')) {
    return 'bug';
  }
  if (memory.eventType.includes('command')) {
    return 'terminal';
  }
  if (memory.eventType.includes('note')) {
    return 'note';
  }
  return 'lightbulb';
}
