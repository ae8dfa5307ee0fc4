// Reading ChatKit widgets generically: the text a card shows, whatever its layout.
import { widgetComponentSchema, type WidgetComponent } from "./schemas";

/** Components whose `value` is text to show; every other component is skipped. */
const TEXT_COMPONENTS = new Set(["Text", "Title", "Markdown", "Caption"]);

/** The text of the components, in order, looking inside containers (Row, Col, Box…). */
export function widgetTextLines(components: WidgetComponent[]): string[] {
  return components.flatMap((component): string[] => {
    if (TEXT_COMPONENTS.has(component.type) && typeof component.value === "string") return [component.value];
    if (!Array.isArray(component.children)) return [];
    return widgetTextLines(component.children.flatMap((child) => widgetComponentSchema.safeParse(child).data ?? []));
  });
}
